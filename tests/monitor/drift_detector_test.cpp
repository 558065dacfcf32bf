#include <gtest/gtest.h>

#include <random>

#include "edgeloop/monitor/drift_detector.h"

namespace edgeloop {
namespace {

constexpr int kReferenceSamples = 3000;

// A stream of three features as the device sees them; `brightness_shift` is added from `onset`.
class FeatureStream {
 public:
  explicit FeatureStream(unsigned seed) : generator_(seed) {}
  std::map<std::string, double> next(double brightness_shift = 0.0) {
    return {{"brightness", brightness_(generator_) + brightness_shift},
            {"contrast", contrast_(generator_)},
            {"confidence", confidence_(generator_)}};
  }
  std::vector<FeatureReference> references() {
    std::vector<FeatureReference> references{{"brightness", {}}, {"contrast", {}}, {"confidence", {}}};
    for (int sample = 0; sample < kReferenceSamples; ++sample) {
      auto features = next();
      for (FeatureReference& reference : references) reference.samples.push_back(features[reference.name]);
    }
    return references;
  }

 private:
  std::mt19937 generator_;
  std::normal_distribution<double> brightness_{120.0, 20.0};
  std::normal_distribution<double> contrast_{40.0, 8.0};
  std::uniform_real_distribution<double> confidence_{0.5, 1.0};
};

TEST(DriftDetector, stays_silent_on_clean_data) {
  FeatureStream stream(7);
  DriftDetector detector(stream.references());
  int tests = 0;
  for (int frame = 0; frame < 5000; ++frame) {
    if (detector.observe(frame, stream.next())) ++tests;
  }
  EXPECT_GT(tests, 100);
  EXPECT_EQ(detector.drift_events(), 0);
  EXPECT_FALSE(detector.drift_active());
}

TEST(DriftDetector, raises_on_a_brightness_shift_naming_the_feature) {
  FeatureStream stream(11);
  DriftDetector detector(stream.references());
  constexpr int kOnset = 600;
  std::optional<DriftTest> raised;
  int64_t raised_at = -1;
  for (int frame = 0; frame < 1500 && !raised; ++frame) {
    auto test = detector.observe(frame, stream.next(frame >= kOnset ? 30.0 : 0.0));
    if (test && test->state_changed && test->drift_active) {
      raised = test;
      raised_at = frame;
    }
  }
  ASSERT_TRUE(raised.has_value());
  EXPECT_GE(raised_at, kOnset);
  EXPECT_LE(raised_at - kOnset, 300);
  EXPECT_EQ(raised->moved_features(), std::vector<std::string>{"brightness"});
  EXPECT_EQ(detector.drift_events(), 1);
}

TEST(DriftDetector, clears_after_the_shift_ends_with_hysteresis) {
  FeatureStream stream(13);
  DriftDetector detector(stream.references());
  for (int frame = 0; frame < 1200; ++frame) detector.observe(frame, stream.next(frame >= 300 ? 40.0 : 0.0));
  ASSERT_TRUE(detector.drift_active());
  bool cleared = false;
  for (int frame = 1200; frame < 2000 && !cleared; ++frame) {
    auto test = detector.observe(frame, stream.next());
    if (test && test->state_changed) cleared = !test->drift_active;
  }
  EXPECT_TRUE(cleared);
  EXPECT_EQ(detector.drift_events(), 1);
}

TEST(DriftDetector, tests_nothing_during_warm_up) {
  FeatureStream stream(17);
  DriftDetector detector(stream.references(), DriftOptions{.window_frames = 100});
  for (int frame = 0; frame < 99; ++frame) EXPECT_FALSE(detector.observe(frame, stream.next(100.0)).has_value());
  EXPECT_TRUE(detector.observe(99, stream.next(100.0)).has_value());
}

TEST(DriftDetector, options_from_json_reject_out_of_range_values) {
  EXPECT_EQ(drift_options_from_json(Json{{"window_frames", 300}}).window_frames, 300);
  EXPECT_THROW(drift_options_from_json(Json{{"family_alpha", 2.0}}), std::exception);
}

}  // namespace
}  // namespace edgeloop
