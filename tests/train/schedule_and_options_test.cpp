#include <gtest/gtest.h>

#include "edgeloop/core/error.h"
#include "edgeloop/train/augmentation.h"
#include "edgeloop/train/learning_rate_schedule.h"

namespace edgeloop {

TEST(LearningRateSchedule, cosine_falls_from_the_peak_to_zero) {
  TrainOptions options;
  options.schedule = "cosine";
  options.learning_rate = 0.1;
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(options, 0, 100, 10), 0.1);
  EXPECT_NEAR(scheduled_learning_rate(options, 50, 100, 10), 0.05, 1e-12);
  EXPECT_NEAR(scheduled_learning_rate(options, 100, 100, 10), 0.0, 1e-12);
}

TEST(LearningRateSchedule, onecycle_rises_to_the_peak_then_falls) {
  TrainOptions options;
  options.schedule = "onecycle";
  options.learning_rate = 0.01;
  const double start = scheduled_learning_rate(options, 0, 100, 10);
  const double peak = scheduled_learning_rate(options, 30, 100, 10);
  const double end = scheduled_learning_rate(options, 100, 100, 10);
  EXPECT_LT(start, peak);
  EXPECT_NEAR(peak, 0.01, 1e-12);
  EXPECT_LT(end, start);
}

TEST(LearningRateSchedule, a_spent_time_budget_anneals_the_schedule_before_the_last_step) {
  TrainOptions options;
  options.schedule = "cosine";
  options.learning_rate = 0.1;
  // Step 10 of 100, but 90% of the time budget gone: the rate is where step 90 would put it.
  EXPECT_NEAR(scheduled_learning_rate(options, 10, 100, 10, 0.9), scheduled_learning_rate(options, 90, 100, 10), 1e-12);
  // Budget spent: fully annealed, whatever the step.
  EXPECT_NEAR(scheduled_learning_rate(options, 10, 100, 10, 1.0), 0.0, 1e-12);
  // Steps ahead of time: the steps lead.
  EXPECT_NEAR(scheduled_learning_rate(options, 50, 100, 10, 0.1), 0.05, 1e-12);
  options.schedule = "onecycle";
  EXPECT_LT(scheduled_learning_rate(options, 10, 100, 10, 1.0), scheduled_learning_rate(options, 10, 100, 10));
}

TEST(LearningRateSchedule, step_decays_every_step_epochs) {
  TrainOptions options;
  options.schedule = "step";
  options.learning_rate = 1.0;
  options.step_epochs = 2;
  options.step_factor = 0.5;
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(options, 19, 100, 10), 1.0);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(options, 20, 100, 10), 0.5);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(options, 45, 100, 10), 0.25);
}

TEST(TrainOptions, yaml_keys_fill_options_and_unknown_keys_are_named) {
  const TrainOptions options = TrainOptions::from_json(
      yaml_to_json("epochs: 3\nlr: 0.01\noptimizer: sgd\naugment: flip\n", "train.yaml"), "train.yaml");
  EXPECT_EQ(options.epochs, 3);
  EXPECT_DOUBLE_EQ(*options.learning_rate, 0.01);
  EXPECT_EQ(options.optimizer, "sgd");
  try {
    TrainOptions::from_json(yaml_to_json("epoch: 3\n", "train.yaml"), "train.yaml");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("epoch"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("train.yaml"), std::string::npos);
  }
}

TEST(TrainOptions, freeze_without_a_starting_model_is_refused) {
  TrainOptions options;
  options.freeze_blocks = 2;
  EXPECT_THROW(options.validate(), Error);
}

TEST(TrainOptions, keep_classifier_needs_a_starting_model_and_is_stored_only_when_set) {
  TrainOptions options;
  options.keep_classifier = true;
  EXPECT_THROW(options.validate(), Error);
  options.from_model = "m-parent";
  EXPECT_NO_THROW(options.validate());
  EXPECT_TRUE(TrainOptions::from_json(options.to_json(), "test").keep_classifier);
  const std::string kept = options.fingerprint();
  options.keep_classifier = false;
  EXPECT_FALSE(options.to_json().contains("keep_classifier")) << "runs without it keep their config and --resume fingerprint";
  EXPECT_NE(options.fingerprint(), kept);
}

TEST(Augmentation, is_deterministic_for_a_seed_and_changes_the_image) {
  const AugmentSpec spec = AugmentSpec::parse("flip,shift=2,rotate=10,brightness=0.2,contrast=0.2,noise=0.05");
  cv::Mat original(16, 16, CV_8UC1);
  cv::randu(original, 0, 255);
  cv::Mat first = original.clone(), second = original.clone();
  std::mt19937_64 random_a(7), random_b(7);
  augment_image(first, spec, random_a);
  augment_image(second, spec, random_b);
  EXPECT_EQ(cv::norm(first, second, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(first, original, cv::NORM_L1), 0.0);
  EXPECT_THROW(AugmentSpec::parse("blur=3"), Error);
}

}  // namespace edgeloop
