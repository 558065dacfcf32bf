// Classification metrics from labels and predicted probabilities: accuracy, per-class precision,
// recall and F1, the confusion matrix and the expected calibration error (ECE). Used by eval/
// (eval and test), sweep and report/. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct ClassMetrics {
  std::string name;
  double precision = 0;    // 0..1; 0 when nothing was predicted as this class
  double recall = 0;       // 0..1
  double f1 = 0;           // 0..1
  int64_t support = 0;     // samples whose true class this is
};

struct ClassificationMetrics {
  int64_t count = 0;                            // samples evaluated
  double accuracy = 0;                          // 0..1
  double macro_f1 = 0;                          // mean F1 over classes with support
  double expected_calibration_error = 0;        // 0..1, over kCalibrationBins confidence bins
  double mean_log_loss = 0;                     // cross entropy of the true class, nats
  std::vector<ClassMetrics> per_class;
  std::vector<std::vector<int64_t>> confusion;  // [true class][predicted class]

  // {"accuracy", "macro_f1", "ece", "log_loss", "count", "per_class": [{name, precision, recall,
  // f1, support}], "confusion": [[...]]}
  Json to_json() const;
};

inline constexpr int kCalibrationBins = 15;

// labels: [N] true classes; probabilities: [N, classes] row-major, rows summing to 1.
ClassificationMetrics compute_classification_metrics(const std::vector<int>& labels,
                                                     const std::vector<float>& probabilities,
                                                     const std::vector<std::string>& class_names);

}  // namespace edgeloop
