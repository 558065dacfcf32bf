// The module twin's thresholds: the flat keys `edgeloop deploy` writes as the twin's desired
// properties (deploy/deploy_options.h, EdgeThresholds) and the monitor setting each one sets.
// The device accepts them wherever it accepts settings: the YAML `thresholds:` section,
// EDGELOOP_* variables, PUT /v1/config and the MQTT config command. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct TwinThreshold {
  const char* key;        // as in the twin, e.g. "min_brightness"
  const char* section;    // settings section: "drift", "health" or "capture"
  const char* setting;    // key in that section, e.g. "black_mean_max"
  const char* variable;   // the EDGELOOP_* environment variable that sets it
};
const std::vector<TwinThreshold>& twin_thresholds();

// Twin keys that describe rather than configure (model_id, device) and IoT Hub's own ($version,
// $metadata): accepted and ignored.
bool is_twin_annotation(const std::string& key);

// {"min_brightness": 30, ...} as a settings patch {"health": {"black_mean_max": 30}, ...}.
// Throws Error(kInvalidArgument) naming an unknown key and the known ones.
Json twin_thresholds_to_settings_patch(const Json& desired);

}  // namespace edgeloop
