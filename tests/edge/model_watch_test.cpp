#include <gtest/gtest.h>

#include <functional>

#include "edgeloop/edge/model_watch.h"

namespace edgeloop {
namespace {

FrameRecord frame(double infer_ms, double top1, int label) {
  return FrameRecord{.failed = false, .infer_seconds = infer_ms / 1000.0, .top1_probability = top1, .top1_class = label};
}

// model-a serves `count` frames: 1 ms, confident, classes alternating 0..3.
void serve_baseline(ModelWatch& watch, int count) {
  for (int index = 0; index < count; ++index) ASSERT_FALSE(watch.observe("model-a", frame(1.0, 0.9, index % 4)));
}

// Feeds model-b `frames` until the verdict comes; fails the test if none does within them.
ProbationResult run_candidate(ModelWatch& watch, int count, const std::function<FrameRecord(int)>& frame_of) {
  for (int index = 0; index < count; ++index) {
    if (std::optional<ProbationResult> result = watch.observe("model-b", frame_of(index))) return *result;
  }
  ADD_FAILURE() << "no verdict after " << count << " frames";
  return {};
}

TEST(ModelWatch, a_candidate_like_the_previous_model_passes_after_its_probation_frames) {
  ModelWatch watch(WatchOptions{.probation_frames = 20});
  serve_baseline(watch, 30);
  watch.begin_probation("model-b");
  EXPECT_TRUE(watch.on_probation());
  int frames = 0;
  const ProbationResult result = run_candidate(watch, 20, [&](int index) {
    ++frames;
    return frame(1.2, 0.85, index % 4);
  });
  EXPECT_EQ(result.verdict, ProbationVerdict::kPassed) << result.reason;
  EXPECT_EQ(frames, 20);
  EXPECT_EQ(result.candidate.frames, 20);
  EXPECT_EQ(result.previous.frames, 30);
  EXPECT_FALSE(watch.on_probation());
}

TEST(ModelWatch, an_engine_error_fails_probation_at_once) {
  ModelWatch watch(WatchOptions{.probation_frames = 50});
  serve_baseline(watch, 30);
  watch.begin_probation("model-b");
  int frames = 0;
  const ProbationResult result = run_candidate(watch, 50, [&](int index) {
    ++frames;
    return index == 3 ? FrameRecord{.failed = true} : frame(1.0, 0.9, index % 4);
  });
  EXPECT_EQ(result.verdict, ProbationVerdict::kFailed);
  EXPECT_EQ(frames, 4);   // not after 50: the fourth frame decides
  EXPECT_NE(result.reason.find("engine errors on 1 of 4 frames"), std::string::npos) << result.reason;
}

TEST(ModelWatch, a_much_slower_candidate_fails_naming_both_latencies) {
  ModelWatch watch(WatchOptions{.probation_frames = 20, .max_latency_ratio = 3.0});
  serve_baseline(watch, 30);
  watch.begin_probation("model-b");
  const ProbationResult result = run_candidate(watch, 20, [](int index) { return frame(4.0, 0.9, index % 4); });
  EXPECT_EQ(result.verdict, ProbationVerdict::kFailed);
  EXPECT_NE(result.reason.find("median inference 4.000 ms against the previous model's 1.000 ms"), std::string::npos)
      << result.reason;
}

TEST(ModelWatch, a_collapsed_confidence_fails) {
  ModelWatch watch(WatchOptions{.probation_frames = 20});
  serve_baseline(watch, 30);
  watch.begin_probation("model-b");
  const ProbationResult result = run_candidate(watch, 20, [](int index) { return frame(1.0, 0.3, index % 4); });
  EXPECT_EQ(result.verdict, ProbationVerdict::kFailed);
  EXPECT_NE(result.reason.find("mean top-1 confidence 0.300 against the previous model's 0.900"), std::string::npos)
      << result.reason;
}

TEST(ModelWatch, predictions_collapsed_onto_one_class_fail_unless_the_previous_model_saw_one_class_too) {
  ModelWatch watch(WatchOptions{.probation_frames = 20});
  serve_baseline(watch, 30);
  watch.begin_probation("model-b");
  ProbationResult result = run_candidate(watch, 20, [](int) { return frame(1.0, 0.95, 2); });
  EXPECT_EQ(result.verdict, ProbationVerdict::kFailed);
  EXPECT_NE(result.reason.find("collapsed onto one class"), std::string::npos) << result.reason;

  // A line that shows one product all day: one class is what the previous model saw as well.
  ModelWatch steady(WatchOptions{.probation_frames = 20});
  for (int index = 0; index < 30; ++index) steady.observe("model-a", frame(1.0, 0.9, 2));
  steady.begin_probation("model-b");
  result = run_candidate(steady, 20, [](int) { return frame(1.0, 0.95, 2); });
  EXPECT_EQ(result.verdict, ProbationVerdict::kPassed) << result.reason;
}

TEST(ModelWatch, without_enough_baseline_frames_only_engine_errors_are_judged) {
  ModelWatch watch(WatchOptions{.probation_frames = 20, .min_baseline_frames = 10});
  serve_baseline(watch, 5);
  watch.begin_probation("model-b");
  const ProbationResult result = run_candidate(watch, 20, [](int index) { return frame(50.0, 0.2, index % 4); });
  EXPECT_EQ(result.verdict, ProbationVerdict::kPassed) << result.reason;
}

TEST(ModelWatch, frames_the_previous_model_still_ran_do_not_count_for_the_candidate) {
  ModelWatch watch(WatchOptions{.probation_frames = 5});
  serve_baseline(watch, 30);
  watch.begin_probation("model-b");
  for (int index = 0; index < 10; ++index) EXPECT_FALSE(watch.observe("model-a", frame(1.0, 0.9, 0)));
  EXPECT_TRUE(watch.on_probation());
  EXPECT_EQ(watch.status()["frames_seen"], 0);
}

TEST(ModelWatch, no_probation_frames_means_no_verdict) {
  ModelWatch watch(WatchOptions{.probation_frames = 0});
  serve_baseline(watch, 30);
  watch.begin_probation("model-b");
  EXPECT_FALSE(watch.on_probation());
  for (int index = 0; index < 100; ++index) EXPECT_FALSE(watch.observe("model-b", FrameRecord{.failed = true}));
}

}  // namespace
}  // namespace edgeloop
