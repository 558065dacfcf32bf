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

TEST(DriftDetector, values_by_position_give_the_same_tests_as_values_by_name) {
  FeatureStream named_stream(19), positional_stream(19);
  DriftDetector by_name(named_stream.references());
  DriftDetector by_position(positional_stream.references());
  // A different order than the detector's, and a position it does not know.
  const std::vector<std::string> order{"confidence", "unused", "brightness", "contrast"};
  by_position.set_value_order(order);
  std::vector<double> values(order.size());
  for (int frame = 0; frame < 1500; ++frame) {
    const double shift = frame >= 700 ? 25.0 : 0.0;
    const std::map<std::string, double> named = named_stream.next(shift);
    std::map<std::string, double> same = positional_stream.next(shift);
    for (size_t position = 0; position < order.size(); ++position) {
      values[position] = same.count(order[position]) ? same[order[position]] : 1e9;
    }
    const std::optional<DriftTest> expected = by_name.observe(frame, named);
    const std::optional<DriftTest> actual = by_position.observe_values(frame, values);
    ASSERT_EQ(expected.has_value(), actual.has_value()) << frame;
    if (expected) EXPECT_EQ(expected->to_json(), actual->to_json()) << frame;
  }
  EXPECT_EQ(by_position.drift_events(), 1);
}

TEST(DriftDetector, a_smaller_window_keeps_the_newest_values) {
  FeatureStream stream(23);
  DriftOptions options{.window_frames = 200, .test_every_frames = 1000};
  DriftDetector detector(stream.references(), options);
  // 230 clean frames wrap the window; then 60 shifted ones, the newest.
  for (int frame = 0; frame < 230; ++frame) detector.observe(frame, stream.next());
  for (int frame = 230; frame < 290; ++frame) detector.observe(frame, stream.next(100.0));
  options.window_frames = 50;
  options.test_every_frames = 1;
  detector.set_options(options);
  const std::optional<DriftTest> test = detector.observe(290, stream.next(100.0));
  ASSERT_TRUE(test.has_value());
  // Only shifted values left: brightness is apart from the reference in every value.
  EXPECT_GT(test->scores.front().ks_statistic, 0.95);
}

TEST(DriftDetector, a_minimum_ks_statistic_keeps_small_shifts_from_counting) {
  FeatureStream strict_stream(29), default_stream(29);
  DriftDetector strict(strict_stream.references(), DriftOptions{.min_ks_statistic = 0.9});
  DriftDetector lenient(default_stream.references());
  for (int frame = 0; frame < 1500; ++frame) {
    strict.observe(frame, strict_stream.next(frame >= 300 ? 15.0 : 0.0));
    lenient.observe(frame, default_stream.next(frame >= 300 ? 15.0 : 0.0));
  }
  EXPECT_EQ(lenient.drift_events(), 1);
  EXPECT_EQ(strict.drift_events(), 0);
}

TEST(DriftDetector, options_from_json_reject_out_of_range_values) {
  EXPECT_EQ(drift_options_from_json(Json{{"window_frames", 300}}).window_frames, 300);
  EXPECT_THROW(drift_options_from_json(Json{{"family_alpha", 2.0}}), std::exception);
  EXPECT_THROW(drift_options_from_json(Json{{"min_ks_statistic", 1.5}}), std::exception);
  EXPECT_THROW(drift_options_from_json(Json{{"window_frames", "many"}}), std::exception);
}

}  // namespace
}  // namespace edgeloop
