// push_bundle_to_device: an exported bundle sent to a running edgeloop-edge over its HTTP API and
// put in service there — bundle.json and each file it lists in chunks at explicit offsets (a
// dropped connection resumes where the device's copy ends), then POST /v1/model {"bundle_id"},
// then the device's probation verdict: the new model confirmed, or rolled back by the device
// with the reason (edge/model_swapper.h). Called by `edgeloop promote --device` and `edgeloop
// deploy push`. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct DevicePushOptions {
  std::string url;                     // the device's HTTP API, e.g. http://camera-3:8080
  std::string token;                   // bearer token when the device has one
  size_t chunk_bytes = 1 << 20;        // below the device's http.max_body_bytes (8 MB by default)
  double verdict_timeout_seconds = 120;   // waiting for the probation verdict; 0 = do not wait
  int retries = 5;                     // per request, on a dropped connection
};

enum class DevicePushResult {
  kConfirmed,     // swapped and passed probation (or the device runs no probation)
  kRolledBack,    // swapped, then put back by the device: `reason`
  kRefused,       // the device refused the bundle: `reason`; the old model keeps serving
  kNoVerdict,     // swapped, probation not over within the timeout (too few frames)
};

struct DevicePushOutcome {
  DevicePushResult result = DevicePushResult::kRefused;
  std::string model_id;           // the pushed bundle's
  std::string serving_model_id;   // on the device afterwards
  std::string reason;             // refusal or rollback reason
  int64_t bytes_sent = 0;         // without the bytes the device already held
  double push_seconds = 0.0;      // upload
  double swap_seconds = 0.0;      // POST /v1/model until the swap answered
  Json verdict;                   // the device's probation figures (model_watch.h), null when none
  Json to_json() const;
};

std::string to_string(DevicePushResult result);

// Throws Error(kIo) naming the URL when the device cannot be reached (after `retries`),
// Error(kInvalidArgument) for an unusable URL, Error(kCorrupt) when the bundle does not verify
// locally. A refusal or a rollback is not an error: see `result`.
DevicePushOutcome push_bundle_to_device(const std::filesystem::path& bundle_directory, const DevicePushOptions& options);

}  // namespace edgeloop
