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

TEST(FitDiagnosis, good_fit_when_curves_are_close_and_high) {
  const std::vector<EpochRecord> curves = {epoch(1, 0.5, 0.85, 0.45, 0.86), epoch(2, 0.3, 0.91, 0.30, 0.90),
                                           epoch(3, 0.25, 0.92, 0.27, 0.91)};
  EXPECT_EQ(diagnose_fit(curves).verdict, kVerdictGoodFit);
}

TEST(FitDiagnosis, one_epoch_is_too_early_to_tell) {
  EXPECT_EQ(diagnose_fit({epoch(1, 0.5, 0.85, 0.45, 0.86)}).verdict, kVerdictTooEarly);
}

}  // namespace edgeloop
