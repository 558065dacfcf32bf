#include <gtest/gtest.h>

#include "edgeloop/train/fit_diagnosis.h"

namespace edgeloop {

namespace {
EpochRecord epoch(int number, double train_loss, double train_accuracy, double val_loss, double val_accuracy) {
  return EpochRecord{number, train_loss, train_accuracy, val_loss, val_accuracy, 1e-3, 1.0, 100.0};
}
}  // namespace

TEST(FitDiagnosis, overfitting_when_validation_loss_rises_while_training_loss_falls) {
  const std::vector<EpochRecord> curves = {epoch(1, 0.9, 0.70, 0.80, 0.72), epoch(2, 0.6, 0.80, 0.60, 0.79),
                                           epoch(3, 0.4, 0.86, 0.62, 0.80), epoch(4, 0.3, 0.89, 0.66, 0.80),
                                           epoch(5, 0.2, 0.90, 0.71, 0.81)};
  const Diagnosis diagnosis = diagnose_fit(curves);
  EXPECT_EQ(diagnosis.verdict, kVerdictOverfitting);
  ASSERT_FALSE(diagnosis.advice.empty());
  bool mentions_augmentation = false;
  for (const auto& advice : diagnosis.advice) mentions_augmentation |= advice.find("augment") != std::string::npos;
  EXPECT_TRUE(mentions_augmentation);
}

TEST(FitDiagnosis, overfitting_when_the_accuracy_gap_is_over_the_threshold) {
  const std::vector<EpochRecord> curves = {epoch(1, 0.5, 0.90, 0.7, 0.80), epoch(2, 0.1, 0.99, 0.7, 0.82)};
  EXPECT_EQ(diagnose_fit(curves).verdict, kVerdictOverfitting);
}

TEST(FitDiagnosis, underfitting_when_training_accuracy_stays_under_the_floor) {
  const std::vector<EpochRecord> curves = {epoch(1, 1.8, 0.40, 1.8, 0.41), epoch(2, 1.7, 0.45, 1.7, 0.46),
                                           epoch(3, 1.69, 0.46, 1.7, 0.46), epoch(4, 1.69, 0.46, 1.7, 0.46)};
  DiagnosisOptions options;
  options.frozen_blocks = true;
  const Diagnosis diagnosis = diagnose_fit(curves, options);
  EXPECT_EQ(diagnosis.verdict, kVerdictUnderfitting);
  bool mentions_capacity = false, mentions_unfreeze = false;
  for (const auto& advice : diagnosis.advice) {
    mentions_capacity |= advice.find("capacity") != std::string::npos;
    mentions_unfreeze |= advice.find("unfreeze") != std::string::npos;
  }
  EXPECT_TRUE(mentions_capacity);
  EXPECT_TRUE(mentions_unfreeze);
}

TEST(FitDiagnosis, good_fit_when_curves_are_close_high_and_flat) {
  const std::vector<EpochRecord> curves = {epoch(1, 0.5, 0.85, 0.45, 0.86), epoch(2, 0.3, 0.91, 0.30, 0.90),
                                           epoch(3, 0.25, 0.92, 0.27, 0.901)};
  EXPECT_EQ(diagnose_fit(curves).verdict, kVerdictGoodFit);
}

// The run: cnn-s for 3 epochs, validation still climbing with a 4-point gap, was called "good fit".
TEST(FitDiagnosis, still_improving_when_validation_accuracy_rises_at_the_last_epoch) {
  const std::vector<EpochRecord> curves = {epoch(1, 0.70, 0.75, 0.62, 0.77), epoch(2, 0.45, 0.84, 0.52, 0.80),
                                           epoch(3, 0.36, 0.867, 0.48, 0.827)};
  const Diagnosis diagnosis = diagnose_fit(curves);
  EXPECT_EQ(diagnosis.verdict, kVerdictStillImproving);
  ASSERT_FALSE(diagnosis.advice.empty());
  EXPECT_EQ(diagnosis.advice.front().rfind("train longer", 0), 0u) << diagnosis.advice.front();
  bool projects_a_gain = false;
  for (const auto& reason : diagnosis.reasons) projects_a_gain |= reason.find("projected: about +") != std::string::npos;
  EXPECT_TRUE(projects_a_gain);
}

TEST(FitDiagnosis, the_projected_gain_follows_the_shrinking_rise_of_the_curve) {
  // Gains 4 then 2 points: each further epoch gains half the last: 1 + 0.5 + 0.25 = 1.75 points in 3.
  const std::vector<EpochRecord> curves = {epoch(1, 0.7, 0.80, 0.6, 0.80), epoch(2, 0.5, 0.85, 0.5, 0.84),
                                           epoch(3, 0.4, 0.87, 0.45, 0.86)};
  EXPECT_NEAR(projected_accuracy_gain(curves, 3), 0.0175, 1e-9);
  // A flat or falling last epoch projects nothing.
  std::vector<EpochRecord> flat = curves;
  flat.push_back(epoch(4, 0.38, 0.88, 0.45, 0.86));
  EXPECT_DOUBLE_EQ(projected_accuracy_gain(flat, 4), 0.0);
  EXPECT_EQ(diagnose_fit(flat).verdict, kVerdictGoodFit);
}

TEST(FitDiagnosis, a_curve_gaining_faster_at_the_end_is_capped_and_never_projects_past_100_percent) {
  const std::vector<EpochRecord> curves = {epoch(1, 0.7, 0.90, 0.6, 0.90), epoch(2, 0.5, 0.95, 0.5, 0.92),
                                           epoch(3, 0.4, 0.99, 0.45, 0.98)};
  EXPECT_LE(projected_accuracy_gain(curves, 100), 1.0 - 0.98 + 1e-12);
  EXPECT_GT(projected_accuracy_gain(curves, 1), 0.0);
}

TEST(FitDiagnosis, one_epoch_is_too_early_to_tell) {
  EXPECT_EQ(diagnose_fit({epoch(1, 0.5, 0.85, 0.45, 0.86)}).verdict, kVerdictTooEarly);
}

}  // namespace edgeloop
