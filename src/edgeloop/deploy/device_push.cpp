#include "edgeloop/deploy/device_push.h"

#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include <httplib.h>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/input_limits.h"
#include "edgeloop/core/stopwatch.h"

namespace edgeloop {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr double kPollSeconds = 0.2;      // /v1/status while waiting for the verdict
constexpr int kBackoffMilliseconds = 300;

class DeviceClient {
 public:
  explicit DeviceClient(const DevicePushOptions& options) : options_(options), client_(options.url) {
    if (!client_.is_valid()) {
      throw invalid_argument("device URL '" + options.url + "' is not usable: give http://HOST:PORT");
    }
    client_.set_connection_timeout(5);
    client_.set_read_timeout(60);
    client_.set_write_timeout(60);
    if (!options.token.empty()) client_.set_bearer_token_auth(options.token);
  }

  // One request, retried on a dropped connection; the HTTP status and parsed JSON body.
  std::pair<int, Json> send(const std::string& method, const std::string& path, const std::string& body = {}) {
    for (int attempt = 0;; ++attempt) {
      httplib::Result result = method == "GET"   ? client_.Get(path)
                               : method == "PUT" ? client_.Put(path, body, "application/octet-stream")
                                                 : client_.Post(path, body, "application/json");
      if (result) {
        Json parsed = Json::object();
        try {
          parsed = parse_json_limited(result->body, options_.url + path);
        } catch (const Error&) {
          parsed = Json{{"error", result->body}};
        }
        if (result->status == 401) {
          throw invalid_argument(options_.url + ": the device wants a bearer token: pass --token (its http.token)");
        }
        return {result->status, parsed};
      }
      if (attempt >= options_.retries) {
        throw io_error(options_.url + path + ": " + httplib::to_string(result.error()) +
                       ": check that edgeloop-edge runs there with HTTP on (http.enabled, http.bind, http.port)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(kBackoffMilliseconds * (attempt + 1)));
    }
  }

 private:
  const DevicePushOptions& options_;
  httplib::Client client_;
};

// Sends `bytes` as FILE from the offset the device already holds; returns the bytes sent.
int64_t upload(DeviceClient& device, const std::string& bundle_id, const std::string& file, const std::string& bytes,
               int64_t held, size_t chunk_bytes) {
  int64_t offset = held;
  int64_t sent = 0;
  // At least one request, so an empty file exists on the device too.
  do {
    if (offset < 0 || offset > static_cast<int64_t>(bytes.size())) {
      throw invalid_argument("device holds " + std::to_string(offset) + " bytes of " + file + ", more than its " +
                             std::to_string(bytes.size()) + ": push again (bundle.json first restarts the bundle)");
    }
    const size_t length = std::min(chunk_bytes, bytes.size() - static_cast<size_t>(offset));
    const std::string path = "/v1/bundles/" + bundle_id + "/" + file + "?offset=" + std::to_string(offset);
    auto [status, body] = device.send("PUT", path, bytes.substr(static_cast<size_t>(offset), length));
    if (status == 409) {
      // The device holds another length (a chunk that landed before the connection dropped).
      auto [status_code, received] = device.send("GET", "/v1/bundles/" + bundle_id);
      if (status_code != 200) throw io_error("device lost bundle " + bundle_id + " while it was being pushed: push again");
      offset = received["files"][file].value("received", int64_t{0});
      continue;
    }
    if (status != 200) {
      throw invalid_argument("device refused " + file + " of bundle " + bundle_id + ": " + body.value("error", body.dump()));
    }
    offset = body.value("size", offset + static_cast<int64_t>(length));
    sent += static_cast<int64_t>(length);
  } while (offset < static_cast<int64_t>(bytes.size()));
  return sent;
}

// The verdict on `model_id`'s probation in the device's swap history (newest last), or null
// while the swap that started it is the newest event about it.
std::optional<Json> verdict_event(const Json& status, const std::string& model_id) {
  if (!status.contains("swap") || !status["swap"].contains("history")) return std::nullopt;
  const Json& history = status["swap"]["history"];
  for (auto event = history.rbegin(); event != history.rend(); ++event) {
    const std::string name = event->value("event", "");
    if (name == "model_swapped" && event->value("model_id", "") == model_id) return std::nullopt;
    if (name == "model_confirmed" && event->value("model_id", "") == model_id) return *event;
    if (name == "model_rolled_back" && event->value("rolled_back_model_id", "") == model_id) return *event;
  }
  return std::nullopt;
}

}  // namespace

std::string to_string(DevicePushResult result) {
  switch (result) {
    case DevicePushResult::kConfirmed: return "confirmed";
    case DevicePushResult::kRolledBack: return "rolled_back";
    case DevicePushResult::kRefused: return "refused";
    case DevicePushResult::kNoVerdict: return "no_verdict";
  }
  return "unknown";
}

Json DevicePushOutcome::to_json() const {
  return Json{{"result", to_string(result)},       {"model_id", model_id},         {"serving_model_id", serving_model_id},
              {"reason", reason},                  {"bytes_sent", bytes_sent},     {"push_seconds", push_seconds},
              {"swap_seconds", swap_seconds},      {"swap_requested_at_ms", swap_requested_at_ms},
              {"verdict", verdict}};
}

DevicePushOutcome push_bundle_to_device(const std::filesystem::path& bundle_directory, const DevicePushOptions& options) {
  const Bundle bundle = load_bundle(bundle_directory);   // verifies every hash before anything is sent
  DevicePushOutcome outcome;
  outcome.model_id = bundle.model_id;
  DeviceClient device(options);
  const size_t chunk = std::max<size_t>(options.chunk_bytes, 1);

  const auto push_start = SteadyClock::now();
  const std::string manifest = read_file(bundle_directory / kBundleManifestName);
  // Resume only a push of this very manifest; anything else starts the bundle afresh.
  Json received = Json::object();
  {
    auto [status, body] = device.send("GET", "/v1/bundles/" + bundle.model_id);
    if (status == 200 && body["files"].contains(kBundleManifestName) &&
        body["files"][kBundleManifestName].value("received", int64_t{-1}) == static_cast<int64_t>(manifest.size())) {
      received = body["files"];
    }
  }
  const int64_t manifest_held = received.empty() ? 0 : static_cast<int64_t>(manifest.size());
  outcome.bytes_sent += upload(device, bundle.model_id, kBundleManifestName, manifest, manifest_held, chunk);
  for (const auto& [name, file] : bundle.files) {
    const std::string bytes = read_file(bundle_directory / name);
    const int64_t held = received.contains(name) ? received[name].value("received", int64_t{0}) : 0;
    outcome.bytes_sent += upload(device, bundle.model_id, name, bytes, std::min<int64_t>(held, static_cast<int64_t>(bytes.size())), chunk);
  }
  outcome.push_seconds = seconds_since(push_start);

  const auto swap_start = SteadyClock::now();
  outcome.swap_requested_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch()).count();
  auto [status, swap] = device.send("POST", "/v1/model?wait=1", Json{{"bundle_id", bundle.model_id}}.dump());
  outcome.swap_seconds = seconds_since(swap_start);
  if (status != 200) {
    outcome.result = DevicePushResult::kRefused;
    outcome.reason = swap.value("reason", swap.value("error", swap.dump()));
    outcome.serving_model_id = swap.value("model_id", "");
    return outcome;
  }
  outcome.serving_model_id = swap.value("model_id", bundle.model_id);
  if (!swap.value("on_probation", false) || options.verdict_timeout_seconds <= 0) {
    outcome.result = swap.value("on_probation", false) ? DevicePushResult::kNoVerdict : DevicePushResult::kConfirmed;
    return outcome;
  }
  const auto wait_start = SteadyClock::now();
  while (true) {
    auto [status_code, device_status] = device.send("GET", "/v1/status");
    if (status_code == 200) {
      if (const std::optional<Json> event = verdict_event(device_status, bundle.model_id)) {
        outcome.verdict = event->value("probation", Json());
        outcome.serving_model_id = event->value("model_id", "");
        if (event->value("event", "") == "model_confirmed") {
          outcome.result = DevicePushResult::kConfirmed;
        } else {
          outcome.result = DevicePushResult::kRolledBack;
          outcome.reason = event->value("reason", "");
        }
        return outcome;
      }
      if (seconds_since(wait_start) > options.verdict_timeout_seconds) {
        outcome.result = DevicePushResult::kNoVerdict;
        const Json probation = device_status["swap"].value("probation", Json::object());
        outcome.reason = "probation not over after " + std::to_string(static_cast<int>(options.verdict_timeout_seconds)) +
                         " s: the device has judged " + std::to_string(probation.value("frames_seen", 0)) + " of " +
                         std::to_string(probation.value("frames_needed", 0)) + " frames (is its source running?)";
        return outcome;
      }
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(kPollSeconds));
  }
}

}  // namespace edgeloop
