#include "edgeloop/edge/twin_thresholds.h"

#include "edgeloop/core/error.h"

namespace edgeloop {

const std::vector<TwinThreshold>& twin_thresholds() {
  static const std::vector<TwinThreshold> thresholds = {
      {"drift_score", "drift", "min_ks_statistic", "EDGELOOP_DRIFT_SCORE"},
      {"drift_window_frames", "drift", "window_frames", "EDGELOOP_DRIFT_WINDOW"},
      {"min_brightness", "health", "black_mean_max", "EDGELOOP_MIN_BRIGHTNESS"},
      {"max_brightness", "health", "white_mean_min", "EDGELOOP_MAX_BRIGHTNESS"},
      {"min_sharpness", "health", "min_sharpness", "EDGELOOP_MIN_SHARPNESS"},
      {"frozen_seconds", "health", "frozen_seconds", "EDGELOOP_FROZEN_SECONDS"},
      {"capture_confidence_below", "capture", "low_confidence_below", "EDGELOOP_LOW_CONFIDENCE"},
      {"capture_max_per_minute", "capture", "max_per_minute", "EDGELOOP_CAPTURE_MAX_PER_MINUTE"},
  };
  return thresholds;
}

bool is_twin_annotation(const std::string& key) {
  return key == "model_id" || key == "device" || (!key.empty() && key.front() == '$');
}

Json twin_thresholds_to_settings_patch(const Json& desired) {
  if (!desired.is_object()) throw invalid_argument("twin thresholds must be a JSON object of threshold keys");
  Json patch = Json::object();
  for (const auto& [key, value] : desired.items()) {
    if (is_twin_annotation(key)) continue;
    const TwinThreshold* found = nullptr;
    for (const TwinThreshold& threshold : twin_thresholds()) {
      if (key == threshold.key) found = &threshold;
    }
    if (found == nullptr) {
      std::string known;
      for (const TwinThreshold& threshold : twin_thresholds()) known += (known.empty() ? "" : ", ") + std::string(threshold.key);
      throw invalid_argument("settings: unknown key '" + key + "': use drift, health, capture or a twin threshold (" + known + ")");
    }
    patch[found->section][found->setting] = value;
  }
  return patch;
}

}  // namespace edgeloop
