// The promotion gate: decides from paired predictions of the champion and a challenger on the same
// frozen test sets whether the challenger may replace the champion. It passes only when the
// challenger is (1) not significantly worse on every original test set (McNemar's exact test on
// the discordant pairs), (2) no class's recall there falls more than max_recall_drop_points, and
// (3) better on the captured test set (frames from the device). A refusal names the first failed
// condition with its numbers. Called by promotion (promote_torch). Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct GateOptions {
  double alpha = 0.05;                  // McNemar: "significantly worse" below this two-sided p
  double max_recall_drop_points = 3.0;  // most a class's recall may fall on an original test set, in points
};

// Both models' predictions on one test set, sample by sample in the same order.
struct PairedPredictions {
  std::string test_set;                 // "test:official"
  bool captured = false;                // true: frames captured by the device (must improve)
  std::vector<std::string> classes;     // class names
  std::vector<int> truth;               // [N] true classes
  std::vector<int> champion;            // [N] champion's predicted classes
  std::vector<int> challenger;          // [N] challenger's predicted classes
};

struct TestSetFigures {
  std::string test_set;
  bool captured = false;
  int64_t count = 0;
  double champion_accuracy = 0;         // 0..1
  double challenger_accuracy = 0;       // 0..1
  int64_t champion_only_right = 0;      // McNemar b: champion right, challenger wrong
  int64_t challenger_only_right = 0;    // McNemar c
  double mcnemar_p = 1;                 // two-sided exact
  std::vector<double> recall_drop_points;   // per class: champion recall - challenger recall, points
  Json to_json() const;
};

struct GateResult {
  bool passed = false;
  std::string failed_condition;         // "" when passed; else one line with the numbers
  std::vector<TestSetFigures> figures;
  Json to_json() const;                 // {"passed", "failed_condition", "test_sets": [...], "options"}
};

// Two-sided exact McNemar p-value for `b` and `c` discordant pairs (binomial, p = 0.5).
double mcnemar_exact_p(int64_t b, int64_t c);

GateResult decide_gate(const std::vector<PairedPredictions>& test_sets, const GateOptions& options);

}  // namespace edgeloop
