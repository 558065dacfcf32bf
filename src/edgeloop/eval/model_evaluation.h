// Model evaluation: `edgeloop eval` (any split, as often as wanted) and `edgeloop test` (a test
// set, once per model: the ledger). Runs a stored model (torch or classic) over a split of its
// dataset version (or another version of the same classes), computes ClassificationMetrics, and
// records every run in the registry's evaluations table. The ledger refuses a second test of the
// same model on the same test set without `force` (and records it when forced), and labels a
// result as reused when other models were tested on that test set before. LibTorch (torch models).
#pragma once

#include <string>

#include "edgeloop/core/config.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/eval/classification_metrics.h"

namespace edgeloop {

struct EvaluateOptions {
  std::string model;              // model id or unique prefix
  std::string split = "val";      // val, train, or test:<name> (eval only; test uses testset)
  std::string data;               // dataset NAME[@N]; "" = the version the model was trained on
  int threads = 0;                // 0 = all cores
};

struct TestOptions {
  std::string model;              // model id or unique prefix
  std::string testset;            // test set name (split "test:<name>")
  std::string data;               // dataset NAME[@N]; "" = the version the model was trained on
  bool force = false;             // re-test a model already tested on this test set (recorded)
  int threads = 0;
};

struct EvaluationReport {
  std::string model_id;
  std::string dataset;            // NAME@N evaluated on
  std::string split;
  ClassificationMetrics metrics;
  bool forced = false;            // a repeated test with --force
  int earlier_models = 0;         // test: other models tested on this test set before
  std::string note;               // test: the reuse warning and its advice ("" when unbiased)
  std::vector<int> truth;         // [N] true class per sample, in the split's order (for paired tests)
  std::vector<int> predicted;     // [N] the model's class per sample, same order

  // {"model", "dataset", "split", "accuracy", "macro_f1", "ece", "log_loss", "count", "per_class",
  //  "confusion", and for tests "ledger": {"forced", "earlier_models", "reused", "note"}}
  Json to_json() const;
};

EvaluationReport evaluate_model(const Workspace& workspace, const EvaluateOptions& options);
// Throws Error(kAlreadyExists) when the model was tested on this test set and !force.
EvaluationReport test_model(const Workspace& workspace, const TestOptions& options);

}  // namespace edgeloop
