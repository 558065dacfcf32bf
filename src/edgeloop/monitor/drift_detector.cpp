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
    options.min_ks_statistic = value.value("min_ks_statistic", options.min_ks_statistic);
    options.psi_bins = value.value("psi_bins", options.psi_bins);
    options.raise_after_tests = value.value("raise_after_tests", options.raise_after_tests);
    options.clear_after_tests = value.value("clear_after_tests", options.clear_after_tests);
  } catch (const nlohmann::json::exception& error) {
    throw invalid_argument(std::string("drift settings: ") + error.what() + ": give numbers");
  }
  if (options.window_frames < 10 || options.test_every_frames < 1 || options.family_alpha <= 0 ||
      options.family_alpha >= 1 || options.psi_bins < 2 || options.raise_after_tests < 1 ||
      options.clear_after_tests < 1 || options.psi_threshold < 0 || options.min_ks_statistic < 0 ||
      options.min_ks_statistic >= 1) {
    throw invalid_argument("drift settings out of range: window_frames >= 10, test_every_frames >= 1, "
                           "0 < family_alpha < 1, psi_threshold >= 0, 0 <= min_ks_statistic < 1, psi_bins >= 2, "
                           "raise/clear_after_tests >= 1");
  }
  return options;
}

Json to_json(const DriftOptions& options) {
  return Json{{"window_frames", options.window_frames},       {"test_every_frames", options.test_every_frames},
              {"family_alpha", options.family_alpha},         {"psi_threshold", options.psi_threshold},
              {"min_ks_statistic", options.min_ks_statistic},
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

void DriftDetector::Window::push(double value, size_t capacity) {
  if (values.size() < capacity) {
    values.push_back(value);
    return;
  }
  values[next] = value;
  next = (next + 1) % values.size();
}

void DriftDetector::Window::shrink_to(size_t capacity) {
  if (values.size() < capacity || (values.size() == capacity && next == 0)) return;
  // Oldest first, then keep the newest `capacity`.
  std::rotate(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(next), values.end());
  if (values.size() > capacity) values.erase(values.begin(), values.end() - static_cast<std::ptrdiff_t>(capacity));
  next = 0;
}

DriftDetector::DriftDetector(std::vector<FeatureReference> references, DriftOptions options) : options_(options) {
  for (FeatureReference& reference : references) {
    std::erase_if(reference.samples, [](double value) { return !std::isfinite(value); });
    if (reference.samples.empty()) continue;
    std::sort(reference.samples.begin(), reference.samples.end());
    Tracked tracked;
    tracked.reference = std::move(reference);
    prepare_bins(tracked);
    tracked.window.values.reserve(static_cast<size_t>(options_.window_frames));
    features_.push_back(std::move(tracked));
  }
}

void DriftDetector::prepare_bins(Tracked& tracked) const {
  tracked.psi_edges = quantile_bin_edges(tracked.reference.samples, options_.psi_bins);
  tracked.reference_shares = psi_bin_shares(tracked.reference.samples, tracked.psi_edges);
}

void DriftDetector::set_options(const DriftOptions& options) {
  const bool bins_changed = options.psi_bins != options_.psi_bins;
  options_ = options;
  for (Tracked& tracked : features_) {
    if (bins_changed) prepare_bins(tracked);
    tracked.window.shrink_to(static_cast<size_t>(options_.window_frames));
  }
  drifting_streak_ = 0;
  clean_streak_ = 0;
}

std::vector<std::string> DriftDetector::feature_names() const {
  std::vector<std::string> names;
  for (const Tracked& tracked : features_) names.push_back(tracked.reference.name);
  return names;
}

void DriftDetector::set_value_order(const std::vector<std::string>& names) {
  for (Tracked& tracked : features_) {
    auto found = std::find(names.begin(), names.end(), tracked.reference.name);
    tracked.value_position = found == names.end() ? -1 : static_cast<int>(found - names.begin());
  }
}

std::optional<DriftTest> DriftDetector::observe(int64_t frame, const std::map<std::string, double>& features) {
  const size_t capacity = static_cast<size_t>(options_.window_frames);
  for (Tracked& tracked : features_) {
    auto found = features.find(tracked.reference.name);
    if (found == features.end() || !std::isfinite(found->second)) continue;
    tracked.window.push(found->second, capacity);
  }
  return after_values(frame);
}

std::optional<DriftTest> DriftDetector::observe_values(int64_t frame, std::span<const double> values) {
  const size_t capacity = static_cast<size_t>(options_.window_frames);
  for (Tracked& tracked : features_) {
    if (tracked.value_position < 0 || static_cast<size_t>(tracked.value_position) >= values.size()) continue;
    const double value = values[static_cast<size_t>(tracked.value_position)];
    if (std::isfinite(value)) tracked.window.push(value, capacity);
  }
  return after_values(frame);
}

std::optional<DriftTest> DriftDetector::after_values(int64_t frame) {
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
  for (const Tracked& tracked : features_) {
    FeatureScore score;
    score.name = tracked.reference.name;
    if (tracked.window.values.size() >= minimum_window) {
      sorted_window_.assign(tracked.window.values.begin(), tracked.window.values.end());
      std::sort(sorted_window_.begin(), sorted_window_.end());
      KsResult ks = ks_two_sample(tracked.reference.samples, sorted_window_);
      score.ks_statistic = ks.statistic;
      score.p_value = ks.p_value;
      score.psi = population_stability_index(tracked.reference_shares, psi_bin_shares(sorted_window_, tracked.psi_edges));
      score.moved = score.p_value < corrected_alpha && score.psi >= options_.psi_threshold &&
                    score.ks_statistic >= options_.min_ks_statistic;
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
