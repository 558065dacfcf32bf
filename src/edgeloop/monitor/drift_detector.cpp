#include "edgeloop/monitor/drift_detector.h"

#include <algorithm>
#include <cmath>

#include "edgeloop/core/error.h"
#include "edgeloop/monitor/two_sample_tests.h"

namespace edgeloop {

DriftOptions drift_options_from_json(const Json& value, DriftOptions defaults) {
  DriftOptions options = defaults;
  if (!value.is_object()) return options;
  try {
    options.window_frames = value.value("window_frames", options.window_frames);
    options.test_every_frames = value.value("test_every_frames", options.test_every_frames);
    options.family_alpha = value.value("family_alpha", options.family_alpha);
    options.psi_threshold = value.value("psi_threshold", options.psi_threshold);
    options.psi_bins = value.value("psi_bins", options.psi_bins);
    options.raise_after_tests = value.value("raise_after_tests", options.raise_after_tests);
    options.clear_after_tests = value.value("clear_after_tests", options.clear_after_tests);
  } catch (const nlohmann::json::exception& error) {
    throw invalid_argument(std::string("drift settings: ") + error.what() + ": give numbers");
  }
  if (options.window_frames < 10 || options.test_every_frames < 1 || options.family_alpha <= 0 ||
      options.family_alpha >= 1 || options.psi_bins < 2 || options.raise_after_tests < 1 ||
      options.clear_after_tests < 1) {
    throw invalid_argument("drift settings out of range: window_frames >= 10, test_every_frames >= 1, "
                           "0 < family_alpha < 1, psi_bins >= 2, raise/clear_after_tests >= 1");
  }
  return options;
}

Json to_json(const DriftOptions& options) {
  return Json{{"window_frames", options.window_frames},       {"test_every_frames", options.test_every_frames},
              {"family_alpha", options.family_alpha},         {"psi_threshold", options.psi_threshold},
              {"psi_bins", options.psi_bins},                 {"raise_after_tests", options.raise_after_tests},
              {"clear_after_tests", options.clear_after_tests}};
}

std::vector<std::string> DriftTest::moved_features() const {
  std::vector<std::string> names;
  for (const FeatureScore& score : scores) {
    if (score.moved) names.push_back(score.name);
  }
  return names;
}

Json DriftTest::to_json() const {
  Json features = Json::object();
  for (const FeatureScore& score : scores) {
    features[score.name] = {{"ks", score.ks_statistic}, {"p", score.p_value}, {"psi", score.psi}, {"moved", score.moved}};
  }
  return Json{{"frame", frame},
              {"drift", drift_active},
              {"window_drifting", window_drifting},
              {"moved", moved_features()},
              {"features", features}};
}

DriftDetector::DriftDetector(std::vector<FeatureReference> references, DriftOptions options) : options_(options) {
  for (FeatureReference& reference : references) {
    std::erase_if(reference.samples, [](double value) { return !std::isfinite(value); });
    if (reference.samples.empty()) continue;
    std::sort(reference.samples.begin(), reference.samples.end());
    Tracked tracked;
    tracked.psi_edges = quantile_bin_edges(reference.samples, options_.psi_bins);
    tracked.reference = std::move(reference);
    features_.push_back(std::move(tracked));
  }
}

void DriftDetector::set_options(const DriftOptions& options) {
  const bool bins_changed = options.psi_bins != options_.psi_bins;
  options_ = options;
  for (Tracked& tracked : features_) {
    if (bins_changed) tracked.psi_edges = quantile_bin_edges(tracked.reference.samples, options_.psi_bins);
    while (tracked.window.size() > static_cast<size_t>(options_.window_frames)) tracked.window.pop_front();
  }
  drifting_streak_ = 0;
  clean_streak_ = 0;
}

std::vector<std::string> DriftDetector::feature_names() const {
  std::vector<std::string> names;
  for (const Tracked& tracked : features_) names.push_back(tracked.reference.name);
  return names;
}

std::optional<DriftTest> DriftDetector::observe(int64_t frame, const std::map<std::string, double>& features) {
  for (Tracked& tracked : features_) {
    auto found = features.find(tracked.reference.name);
    if (found == features.end() || !std::isfinite(found->second)) continue;
    tracked.window.push_back(found->second);
    if (tracked.window.size() > static_cast<size_t>(options_.window_frames)) tracked.window.pop_front();
  }
  ++frames_seen_;
  // Warm-up: no test until a full window has been seen.
  if (features_.empty() || frames_seen_ < options_.window_frames) return std::nullopt;
  if ((frames_seen_ - options_.window_frames) % options_.test_every_frames != 0) return std::nullopt;
  last_test_ = run_test(frame);
  return last_test_;
}

DriftTest DriftDetector::run_test(int64_t frame) {
  DriftTest test;
  test.frame = frame;
  const double corrected_alpha = options_.family_alpha / static_cast<double>(features_.size());
  const size_t minimum_window = static_cast<size_t>(options_.window_frames) / 2;
  std::vector<double> sorted_window;
  for (const Tracked& tracked : features_) {
    FeatureScore score;
    score.name = tracked.reference.name;
    if (tracked.window.size() >= minimum_window) {
      sorted_window.assign(tracked.window.begin(), tracked.window.end());
      std::sort(sorted_window.begin(), sorted_window.end());
      KsResult ks = ks_two_sample(tracked.reference.samples, sorted_window);
      score.ks_statistic = ks.statistic;
      score.p_value = ks.p_value;
      score.psi = population_stability_index(tracked.reference.samples, sorted_window, tracked.psi_edges);
      score.moved = score.p_value < corrected_alpha && score.psi >= options_.psi_threshold;
    }
    test.window_drifting = test.window_drifting || score.moved;
    test.scores.push_back(std::move(score));
  }
  if (test.window_drifting) {
    ++drifting_streak_;
    clean_streak_ = 0;
  } else {
    ++clean_streak_;
    drifting_streak_ = 0;
  }
  const bool was_active = drift_active_;
  if (!drift_active_ && drifting_streak_ >= options_.raise_after_tests) drift_active_ = true;
  if (drift_active_ && clean_streak_ >= options_.clear_after_tests) drift_active_ = false;
  if (drift_active_ && !was_active) ++drift_events_;
  test.drift_active = drift_active_;
  test.state_changed = drift_active_ != was_active;
  return test;
}

}  // namespace edgeloop
