#include "edgeloop/promote/gate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr double kPoints = 100.0;

std::string format(const char* pattern, double first, double second = 0, double third = 0, double fourth = 0) {
  char text[256];
  std::snprintf(text, sizeof(text), pattern, first, second, third, fourth);
  return text;
}

TestSetFigures figures_of(const PairedPredictions& pairs) {
  TestSetFigures figures;
  figures.test_set = pairs.test_set;
  figures.captured = pairs.captured;
  figures.count = static_cast<int64_t>(pairs.truth.size());
  if (pairs.champion.size() != pairs.truth.size() || pairs.challenger.size() != pairs.truth.size()) {
    throw internal_error("gate: predictions and labels of " + pairs.test_set + " differ in length");
  }
  const size_t classes = pairs.classes.size();
  std::vector<int64_t> support(classes, 0), champion_hits(classes, 0), challenger_hits(classes, 0);
  int64_t champion_right = 0, challenger_right = 0;
  for (size_t index = 0; index < pairs.truth.size(); ++index) {
    const int truth = pairs.truth[index];
    const bool champion_ok = pairs.champion[index] == truth, challenger_ok = pairs.challenger[index] == truth;
    champion_right += champion_ok;
    challenger_right += challenger_ok;
    figures.champion_only_right += champion_ok && !challenger_ok;
    figures.challenger_only_right += challenger_ok && !champion_ok;
    if (truth >= 0 && static_cast<size_t>(truth) < classes) {
      ++support[truth];
      champion_hits[truth] += champion_ok;
      challenger_hits[truth] += challenger_ok;
    }
  }
  const double count = std::max<double>(1, static_cast<double>(figures.count));
  figures.champion_accuracy = champion_right / count;
  figures.challenger_accuracy = challenger_right / count;
  figures.mcnemar_p = mcnemar_exact_p(figures.champion_only_right, figures.challenger_only_right);
  for (size_t label = 0; label < classes; ++label) {
    figures.recall_drop_points.push_back(
        support[label] == 0 ? 0.0 : kPoints * (champion_hits[label] - challenger_hits[label]) / static_cast<double>(support[label]));
  }
  return figures;
}

}  // namespace

double mcnemar_exact_p(int64_t b, int64_t c) {
  const int64_t n = b + c;
  if (n == 0) return 1.0;
  const int64_t k = std::min(b, c);
  // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n does not overflow.
  double tail = 0;
  for (int64_t i = 0; i <= k; ++i) {
    const double log_term = std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0);
    tail += std::exp(log_term);
  }
  return std::min(1.0, 2.0 * tail);
}

Json TestSetFigures::to_json() const {
  return Json{{"test_set", test_set}, {"captured", captured}, {"count", count}, {"champion_accuracy", champion_accuracy},
              {"challenger_accuracy", challenger_accuracy}, {"champion_only_right", champion_only_right},
              {"challenger_only_right", challenger_only_right}, {"mcnemar_p", mcnemar_p}, {"recall_drop_points", recall_drop_points}};
}

Json GateResult::to_json() const {
  Json sets = Json::array();
  for (const auto& figure : figures) sets.push_back(figure.to_json());
  return Json{{"passed", passed}, {"failed_condition", failed_condition}, {"test_sets", sets}};
}

GateResult decide_gate(const std::vector<PairedPredictions>& test_sets, const GateOptions& options) {
  GateResult result;
  bool has_captured = false, has_original = false;
  for (const PairedPredictions& pairs : test_sets) {
    result.figures.push_back(figures_of(pairs));
    has_captured = has_captured || pairs.captured;
    has_original = has_original || !pairs.captured;
  }
  const auto fail = [&](const std::string& why) {
    if (result.failed_condition.empty()) result.failed_condition = why;
  };
  if (!has_original) fail("no original test set to check the challenger against: split the champion's data with a test set");
  if (!has_captured) fail("no captured test set: split the labelled captures with `data split --group-by capture-session`");
  for (size_t set = 0; set < test_sets.size(); ++set) {
    const TestSetFigures& figures = result.figures[set];
    if (figures.captured) {
      if (figures.challenger_accuracy <= figures.champion_accuracy) {
        fail("not better on the captured set " + figures.test_set + ": challenger " +
             format("%.2f%% vs champion %.2f%% (%.0f frames)", kPoints * figures.challenger_accuracy,
                    kPoints * figures.champion_accuracy, static_cast<double>(figures.count)));
      }
      continue;
    }
    if (figures.champion_only_right > figures.challenger_only_right && figures.mcnemar_p < options.alpha) {
      fail("significantly worse on " + figures.test_set + ": challenger " +
           format("%.2f%% vs champion %.2f%%, McNemar p = %.4f", kPoints * figures.challenger_accuracy, kPoints * figures.champion_accuracy,
                  figures.mcnemar_p) +
           " < " + format("%.2f", options.alpha) + " (" + std::to_string(figures.champion_only_right) + " frames only the champion got right, " +
           std::to_string(figures.challenger_only_right) + " only the challenger)");
    }
    for (size_t label = 0; label < figures.recall_drop_points.size(); ++label) {
      if (figures.recall_drop_points[label] > options.max_recall_drop_points) {
        fail("class " + test_sets[set].classes[label] + "'s recall on " + figures.test_set + " falls " +
             format("%.1f points, more than the %.1f allowed", figures.recall_drop_points[label], options.max_recall_drop_points));
      }
    }
  }
  result.passed = result.failed_condition.empty();
  return result;
}

}  // namespace edgeloop
