#include <gtest/gtest.h>

#include "edgeloop/eval/classification_metrics.h"

namespace edgeloop {

TEST(ClassificationMetrics, counts_confusion_precision_recall_and_f1) {
  // truths 0,0,1,1 ; predictions 0,1,1,1
  const std::vector<int> labels = {0, 0, 1, 1};
  const std::vector<float> probabilities = {0.9f, 0.1f, 0.4f, 0.6f, 0.2f, 0.8f, 0.3f, 0.7f};
  const auto metrics = compute_classification_metrics(labels, probabilities, {"a", "b"});
  EXPECT_DOUBLE_EQ(metrics.accuracy, 0.75);
  EXPECT_EQ(metrics.confusion, (std::vector<std::vector<int64_t>>{{1, 1}, {0, 2}}));
  EXPECT_DOUBLE_EQ(metrics.per_class[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(metrics.per_class[0].recall, 0.5);
  EXPECT_NEAR(metrics.per_class[1].precision, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(metrics.per_class[1].f1, 0.8, 1e-12);
  const Json json = metrics.to_json();
  EXPECT_TRUE(json.contains("per_class"));
  EXPECT_TRUE(json.contains("confusion"));
}

TEST(ClassificationMetrics, calibration_error_is_zero_for_calibrated_and_large_for_overconfident) {
  // Confidence 1.0 and always right: calibrated.
  const auto calibrated = compute_classification_metrics({0, 1}, {1.0f, 0.0f, 0.0f, 1.0f}, {"a", "b"});
  EXPECT_NEAR(calibrated.expected_calibration_error, 0.0, 1e-9);
  // Confidence 0.99 and always wrong.
  const auto overconfident = compute_classification_metrics({1, 0}, {0.99f, 0.01f, 0.01f, 0.99f}, {"a", "b"});
  EXPECT_NEAR(overconfident.expected_calibration_error, 0.99, 1e-6);
}

}  // namespace edgeloop
