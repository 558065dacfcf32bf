#include "edgeloop/eval/classification_metrics.h"

#include <algorithm>
#include <cmath>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {
constexpr double kSmallestProbability = 1e-12;   // clamps log(0)
}  // namespace

Json ClassificationMetrics::to_json() const {
  Json classes = Json::array();
  for (const ClassMetrics& metrics : per_class) {
    classes.push_back({{"name", metrics.name}, {"precision", metrics.precision}, {"recall", metrics.recall},
                       {"f1", metrics.f1}, {"support", metrics.support}});
  }
  return Json{{"count", count},         {"accuracy", accuracy},        {"macro_f1", macro_f1},
              {"ece", expected_calibration_error}, {"log_loss", mean_log_loss}, {"per_class", classes},
              {"confusion", confusion}};
}

ClassificationMetrics compute_classification_metrics(const std::vector<int>& labels,
                                                     const std::vector<float>& probabilities,
                                                     const std::vector<std::string>& class_names) {
  const int classes = static_cast<int>(class_names.size());
  const int64_t count = static_cast<int64_t>(labels.size());
  if (classes == 0 || probabilities.size() != labels.size() * classes) {
    throw internal_error("metrics: probabilities do not match labels × classes");
  }
  ClassificationMetrics metrics;
  metrics.count = count;
  metrics.confusion.assign(classes, std::vector<int64_t>(classes, 0));
  std::vector<double> bin_confidence(kCalibrationBins, 0), bin_correct(kCalibrationBins, 0), bin_count(kCalibrationBins, 0);
  int64_t correct = 0;
  double log_loss = 0;
  for (int64_t sample = 0; sample < count; ++sample) {
    const float* row = probabilities.data() + sample * classes;
    const int predicted = static_cast<int>(std::max_element(row, row + classes) - row);
    const int truth = labels[sample];
    if (truth < 0 || truth >= classes) throw internal_error("metrics: a label is outside the class list");
    ++metrics.confusion[truth][predicted];
    const bool hit = predicted == truth;
    correct += hit ? 1 : 0;
    const double confidence = row[predicted];
    const int bin = std::min(kCalibrationBins - 1, static_cast<int>(confidence * kCalibrationBins));
    bin_confidence[bin] += confidence;
    bin_correct[bin] += hit ? 1 : 0;
    bin_count[bin] += 1;
    log_loss -= std::log(std::max(kSmallestProbability, static_cast<double>(row[truth])));
  }
  metrics.accuracy = count > 0 ? static_cast<double>(correct) / count : 0;
  metrics.mean_log_loss = count > 0 ? log_loss / count : 0;
  for (int bin = 0; bin < kCalibrationBins; ++bin) {
    if (bin_count[bin] > 0) {
      metrics.expected_calibration_error += std::abs(bin_correct[bin] - bin_confidence[bin]) / std::max<int64_t>(1, count);
    }
  }
  double f1_sum = 0;
  int classes_with_support = 0;
  for (int label = 0; label < classes; ++label) {
    ClassMetrics entry;
    entry.name = class_names[label];
    int64_t predicted_as = 0;
    for (int truth = 0; truth < classes; ++truth) predicted_as += metrics.confusion[truth][label];
    for (int predicted = 0; predicted < classes; ++predicted) entry.support += metrics.confusion[label][predicted];
    const double true_positives = static_cast<double>(metrics.confusion[label][label]);
    entry.precision = predicted_as > 0 ? true_positives / predicted_as : 0;
    entry.recall = entry.support > 0 ? true_positives / entry.support : 0;
    entry.f1 = entry.precision + entry.recall > 0 ? 2 * entry.precision * entry.recall / (entry.precision + entry.recall) : 0;
    if (entry.support > 0) {
      f1_sum += entry.f1;
      ++classes_with_support;
    }
    metrics.per_class.push_back(entry);
  }
  metrics.macro_f1 = classes_with_support > 0 ? f1_sum / classes_with_support : 0;
  return metrics;
}

}  // namespace edgeloop
