#include "edgeloop/monitor/camera_health.h"

#include <algorithm>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

enum FaultIndex { kBlack, kWhite, kSaturated, kFrozen, kBlur, kNoise, kFpsDrop, kFaultCount };

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

std::string to_string(HealthState state) {
  switch (state) {
    case HealthState::kOk: return "ok";
    case HealthState::kDegraded: return "degraded";
    case HealthState::kFailed: return "failed";
  }
  return "unknown";
}

CameraHealthOptions camera_health_options_from_json(const Json& value, CameraHealthOptions defaults) {
  CameraHealthOptions options = defaults;
  if (!value.is_object()) return options;
  try {
    options.black_mean_max = value.value("black_mean_max", options.black_mean_max);
    options.white_mean_min = value.value("white_mean_min", options.white_mean_min);
    options.saturated_fraction = value.value("saturated_fraction", options.saturated_fraction);
    options.saturated_margin = value.value("saturated_margin", options.saturated_margin);
    options.frozen_frames = value.value("frozen_frames", options.frozen_frames);
    options.frozen_seconds = value.value("frozen_seconds", options.frozen_seconds);
    options.frozen_change_max = value.value("frozen_change_max", options.frozen_change_max);
    options.blur_ratio = value.value("blur_ratio", options.blur_ratio);
    options.min_sharpness = value.value("min_sharpness", options.min_sharpness);
    options.noise_ratio = value.value("noise_ratio", options.noise_ratio);
    options.noise_floor = value.value("noise_floor", options.noise_floor);
    options.fps_drop_ratio = value.value("fps_drop_ratio", options.fps_drop_ratio);
    options.expected_fps = value.value("expected_fps", options.expected_fps);
    options.check_fps = value.value("check_fps", options.check_fps);
    options.fps_window_frames = value.value("fps_window_frames", options.fps_window_frames);
    options.reference_sharpness = value.value("reference_sharpness", options.reference_sharpness);
    options.reference_noise = value.value("reference_noise", options.reference_noise);
    options.baseline_frames = value.value("baseline_frames", options.baseline_frames);
    options.persist_frames = value.value("persist_frames", options.persist_frames);
    options.degraded_persist_frames = value.value("degraded_persist_frames", options.degraded_persist_frames);
  } catch (const nlohmann::json::exception& error) {
    throw invalid_argument(std::string("camera health settings: ") + error.what() + ": give numbers");
  }
  if (options.frozen_frames < 2 || options.fps_window_frames < 2 || options.baseline_frames < 1 ||
      options.persist_frames < 1 || options.degraded_persist_frames < 1 || options.frozen_seconds < 0 || options.min_sharpness < 0 ||
      options.expected_fps < 0) {
    throw invalid_argument("camera health settings out of range: frozen_frames >= 2, frozen_seconds >= 0, "
                           "min_sharpness >= 0, expected_fps >= 0 (0 = learn it), fps_window_frames >= 2, baseline_frames >= 1, "
                           "persist_frames and degraded_persist_frames >= 1");
  }
  if (options.black_mean_max < 0 || options.white_mean_min > 255 || options.black_mean_max >= options.white_mean_min) {
    throw invalid_argument("camera health settings out of range: 0 <= black_mean_max (min_brightness) < "
                           "white_mean_min (max_brightness) <= 255");
  }
  return options;
}

Json to_json(const CameraHealthOptions& options) {
  return Json{{"black_mean_max", options.black_mean_max},         {"white_mean_min", options.white_mean_min},
              {"saturated_fraction", options.saturated_fraction}, {"saturated_margin", options.saturated_margin},
              {"frozen_frames", options.frozen_frames},           {"frozen_seconds", options.frozen_seconds},
              {"frozen_change_max", options.frozen_change_max},   {"blur_ratio", options.blur_ratio},
              {"min_sharpness", options.min_sharpness},
              {"noise_ratio", options.noise_ratio},               {"noise_floor", options.noise_floor},
              {"fps_drop_ratio", options.fps_drop_ratio},         {"expected_fps", options.expected_fps},
              {"check_fps", options.check_fps},                   {"fps_window_frames", options.fps_window_frames},
              {"reference_sharpness", options.reference_sharpness}, {"reference_noise", options.reference_noise},
              {"baseline_frames", options.baseline_frames},       {"persist_frames", options.persist_frames},
              {"degraded_persist_frames", options.degraded_persist_frames}};
}

Json HealthReport::to_json() const {
  return Json{{"state", to_string(state)},
              {"reasons", reasons},
              {"fps", fps},
              {"disconnects", disconnects},
              {"brightness", last.mean_brightness},
              {"sharpness", last.sharpness},
              {"noise_sigma", last.noise_sigma},
              {"change", last.change}};
}

CameraHealth::CameraHealth(CameraHealthOptions options) : options_(options) {
  faults_.resize(kFaultCount);
  faults_[kBlack] = {"black", HealthState::kFailed};
  faults_[kWhite] = {"white", HealthState::kFailed};
  faults_[kSaturated] = {"saturated", HealthState::kDegraded};
  faults_[kFrozen] = {"frozen", HealthState::kFailed};
  faults_[kBlur] = {"blur", HealthState::kDegraded};
  faults_[kNoise] = {"noise", HealthState::kDegraded};
  faults_[kFpsDrop] = {"fps_drop", HealthState::kDegraded};
  baseline_sharpness_ = options_.reference_sharpness;
  baseline_noise_ = options_.reference_noise;
  baseline_fps_ = options_.expected_fps;
}

void CameraHealth::update_fault(Fault& fault, bool condition) {
  const int persist = fault.severity == HealthState::kDegraded ? options_.degraded_persist_frames : options_.persist_frames;
  if (condition) {
    ++fault.present_streak;
    fault.absent_streak = 0;
    if (fault.present_streak >= persist) fault.raised = true;
  } else {
    ++fault.absent_streak;
    fault.present_streak = 0;
    if (fault.absent_streak >= persist) fault.raised = false;
  }
}

void CameraHealth::learn_baselines(const CameraFrameStatistics& statistics) {
  const size_t wanted = static_cast<size_t>(options_.baseline_frames);
  const bool exposure_usable = statistics.mean_brightness > options_.black_mean_max &&
                               statistics.mean_brightness < options_.white_mean_min;
  if (baseline_sharpness_ <= 0.0 && exposure_usable) {
    sharpness_samples_.push_back(statistics.sharpness);
    if (sharpness_samples_.size() >= wanted) baseline_sharpness_ = median(sharpness_samples_);
  }
  if (baseline_clipped_ < 0.0 && exposure_usable) {
    clipped_samples_.push_back(statistics.dark_fraction + statistics.bright_fraction);
    if (clipped_samples_.size() >= wanted) baseline_clipped_ = median(clipped_samples_);
  }
  if (baseline_noise_ < 0.0 && exposure_usable) {
    noise_samples_.push_back(statistics.noise_sigma);
    if (noise_samples_.size() >= wanted) baseline_noise_ = median(noise_samples_);
  }
}

HealthReport CameraHealth::observe(const CameraFrameStatistics& statistics, double timestamp_seconds) {
  disconnected_ = false;
  learn_baselines(statistics);
  timestamps_.push_back(timestamp_seconds);
  while (timestamps_.size() > static_cast<size_t>(options_.fps_window_frames)) timestamps_.pop_front();
  double fps = 0.0;
  if (timestamps_.size() == static_cast<size_t>(options_.fps_window_frames)) {
    const double span = timestamps_.back() - timestamps_.front();
    if (span > 0.0) fps = (timestamps_.size() - 1) / span;
    if (baseline_fps_ <= 0.0 && fps > 0.0) baseline_fps_ = fps;
  }
  const bool black = statistics.mean_brightness <= options_.black_mean_max;
  const bool white = statistics.mean_brightness >= options_.white_mean_min;
  update_fault(faults_[kBlack], black);
  update_fault(faults_[kWhite], white);
  const double clipped = statistics.dark_fraction + statistics.bright_fraction;
  // Judged only once the baseline share is known: until then these frames are the baseline.
  update_fault(faults_[kSaturated], baseline_clipped_ >= 0.0 && !black && !white &&
                                        clipped >= options_.saturated_fraction &&
                                        clipped >= baseline_clipped_ + options_.saturated_margin);
  // Frozen is its own streak: k frames without change (a black frame is reported as black).
  if (statistics.change >= 0.0 && statistics.change <= options_.frozen_change_max && !black && !white) {
    // The streak starts at the frame before the first unchanged one: it is the one repeated.
    if (frozen_streak_++ == 0) frozen_since_seconds_ = previous_timestamp_;
  } else {
    frozen_streak_ = 0;
  }
  faults_[kFrozen].raised = options_.frozen_seconds > 0.0
                                ? frozen_streak_ > 0 && timestamp_seconds - frozen_since_seconds_ >= options_.frozen_seconds
                                : frozen_streak_ >= options_.frozen_frames;
  previous_timestamp_ = timestamp_seconds;
  const bool below_baseline = baseline_sharpness_ > 0.0 && statistics.sharpness < baseline_sharpness_ * options_.blur_ratio;
  const bool below_floor = statistics.sharpness < options_.min_sharpness;
  update_fault(faults_[kBlur], !black && !white && (below_baseline || below_floor));
  update_fault(faults_[kNoise], baseline_noise_ >= 0.0 &&
                                    statistics.noise_sigma > baseline_noise_ * options_.noise_ratio + options_.noise_floor);
  update_fault(faults_[kFpsDrop],
               options_.check_fps && fps > 0.0 && baseline_fps_ > 0.0 && fps < baseline_fps_ * options_.fps_drop_ratio);
  HealthReport report = finish_report(statistics);
  report.fps = fps;
  report_ = report;
  return report;
}

HealthReport CameraHealth::note_disconnect() {
  if (!disconnected_) ++disconnects_;
  disconnected_ = true;
  timestamps_.clear();
  frozen_streak_ = 0;
  HealthReport report = finish_report(report_.last);
  report_ = report;
  return report;
}

HealthReport CameraHealth::finish_report(const CameraFrameStatistics& statistics) {
  HealthReport report;
  report.last = statistics;
  report.disconnects = disconnects_;
  for (const Fault& fault : faults_) {
    if (!fault.raised) continue;
    report.reasons.push_back(fault.reason);
    report.state = std::max(report.state, fault.severity);
  }
  if (disconnected_) {
    report.reasons.push_back("disconnected");
    report.state = HealthState::kFailed;
  }
  std::sort(report.reasons.begin(), report.reasons.end());
  report.changed = report.state != report_.state || report.reasons != report_.reasons;
  return report;
}

}  // namespace edgeloop
