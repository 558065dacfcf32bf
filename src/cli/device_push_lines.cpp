#include "cli/device_push_lines.h"

#include <cstdio>
#include <iostream>

#include "edgeloop/core/error.h"

namespace edgeloop::cli {

void add_device_push_options(CLI::App& command, DevicePushOptions& options, bool required) {
  auto* device = command.add_option("--device", options.url, "The device's HTTP API, e.g. http://camera-3:8080");
  if (required) device->required();
  command.add_option("--token", options.token, "The device's bearer token (its http.token)");
  command.add_option("--verdict-timeout", options.verdict_timeout_seconds,
                     "Seconds to wait for the device's probation verdict (0: do not wait)")
      ->capture_default_str();
}

void print_device_push(const DevicePushOutcome& outcome, bool json) {
  if (json) {
    std::cout << outcome.to_json().dump(2) << "\n";
    return;
  }
  std::printf("pushed %s: %.1f KB sent in %.2f s, swap answered in %.3f s\n", outcome.model_id.c_str(),
              outcome.bytes_sent / 1024.0, outcome.push_seconds, outcome.swap_seconds);
  switch (outcome.result) {
    case DevicePushResult::kConfirmed:
      std::printf("device serves %s: passed probation\n", outcome.serving_model_id.c_str());
      break;
    case DevicePushResult::kRolledBack:
      std::printf("device rolled back to %s: %s\n", outcome.serving_model_id.c_str(), outcome.reason.c_str());
      break;
    case DevicePushResult::kRefused:
      std::printf("device refused the bundle, %s keeps serving: %s\n", outcome.serving_model_id.c_str(), outcome.reason.c_str());
      break;
    case DevicePushResult::kNoVerdict:
      std::printf("device serves %s, still on probation: %s\n", outcome.serving_model_id.c_str(), outcome.reason.c_str());
      break;
  }
}

void require_device_kept(const DevicePushOutcome& outcome) {
  if (outcome.result == DevicePushResult::kRefused) {
    throw invalid_argument("the device refused " + outcome.model_id + ": " + outcome.reason);
  }
  if (outcome.result == DevicePushResult::kRolledBack) {
    throw invalid_argument("the device rolled " + outcome.model_id + " back to " + outcome.serving_model_id + ": " + outcome.reason);
  }
}

}  // namespace edgeloop::cli
