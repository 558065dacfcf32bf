// DriftDetector: watches per-frame feature values (brightness, contrast, sharpness, ..., model
// confidence) against reference samples from training and raises a drift event when the
// recent window's distribution moved. Per feature, a two-sample KS test (Bonferroni-corrected
// across features) and PSI over reference-quantile bins; a feature "moved" when both agree.
// Warm-up before the first test; hysteresis (raise after N drifting tests, clear after M clean
// ones) so one odd window does not flap. Called by edge/ once per frame; not thread-safe (one
// pipeline thread owns it), options may be replaced between frames with set_options(). Per frame
// it only stores values (observe_values: no allocation); the work is in the test every
// test_every_frames frames, against reference bins prepared once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct DriftOptions {
  int window_frames = 200;          // frames in the tested window (the most recent ones)
  int test_every_frames = 25;       // a test runs every this many frames once the window is full
  double family_alpha = 1e-3;       // false-alarm rate per test across all features (Bonferroni)
  double psi_threshold = 0.2;       // a feature also needs PSI >= this to count as moved
  double min_ks_statistic = 0.0;    // ...and a KS statistic >= this (0..1; the twin's drift_score); 0 = off
  int psi_bins = 10;                // reference-quantile bins for PSI
  int raise_after_tests = 2;        // consecutive drifting tests before drift is raised
  int clear_after_tests = 4;        // consecutive clean tests before drift is cleared
};
DriftOptions drift_options_from_json(const Json& value, DriftOptions defaults = {});
Json to_json(const DriftOptions& options);

// What training looked like for one feature: raw samples (any order; sorted on construction).
struct FeatureReference {
  std::string name;
  std::vector<double> samples;
};

struct FeatureScore {
  std::string name;
  double ks_statistic = 0.0;   // 0..1
  double p_value = 1.0;        // uncorrected
  double psi = 0.0;
  bool moved = false;
};

// The result of one windowed test.
struct DriftTest {
  int64_t frame = 0;                   // frame index at which the test ran
  bool window_drifting = false;        // this window alone had a moved feature
  bool drift_active = false;           // the state after hysteresis
  bool state_changed = false;          // raised or cleared by this test: publish it
  std::vector<FeatureScore> scores;    // one per feature, in reference order
  std::vector<std::string> moved_features() const;
  Json to_json() const;
};

class DriftDetector {
 public:
  DriftDetector(std::vector<FeatureReference> references, DriftOptions options = {});

  // One frame's features by name; missing or non-finite values are skipped for that feature.
  // Returns the test result on frames where a test ran, nullopt otherwise.
  std::optional<DriftTest> observe(int64_t frame, const std::map<std::string, double>& features);
  // The per-frame path without names: `names` says what each position of the spans given to
  // observe_values() holds (a feature without a position is skipped). Set once per model.
  void set_value_order(const std::vector<std::string>& names);
  // As observe(), the values in set_value_order()'s order; no allocation on frames without a test.
  std::optional<DriftTest> observe_values(int64_t frame, std::span<const double> values);

  bool drift_active() const { return drift_active_; }
  const std::optional<DriftTest>& last_test() const { return last_test_; }
  int64_t drift_events() const { return drift_events_; }   // times drift was raised
  const DriftOptions& options() const { return options_; }
  void set_options(const DriftOptions& options);            // keeps the window, resets hysteresis
  std::vector<std::string> feature_names() const;

 private:
  // The most recent values of one feature, oldest overwritten first.
  struct Window {
    std::vector<double> values;          // capacity window_frames once full
    size_t next = 0;                     // slot the next value goes to once full
    void push(double value, size_t capacity);
    void shrink_to(size_t capacity);     // keeps the newest `capacity` values
  };
  struct Tracked {
    FeatureReference reference;          // samples sorted ascending
    std::vector<double> psi_edges;       // inner bin edges
    std::vector<double> reference_shares;   // the reference's share per PSI bin
    Window window;
    int value_position = -1;             // index into observe_values()' span; -1 = none
  };
  void prepare_bins(Tracked& tracked) const;
  std::optional<DriftTest> after_values(int64_t frame);
  DriftTest run_test(int64_t frame);

  std::vector<Tracked> features_;
  std::vector<double> sorted_window_;   // scratch for run_test
  DriftOptions options_;
  int64_t frames_seen_ = 0;
  int drifting_streak_ = 0;
  int clean_streak_ = 0;
  bool drift_active_ = false;
  int64_t drift_events_ = 0;
  std::optional<DriftTest> last_test_;
};

}  // namespace edgeloop
