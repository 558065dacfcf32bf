#include "edgeloop/promote/promotion.h"

#include <set>

#include "edgeloop/core/error.h"
#include "edgeloop/eval/model_evaluation.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/registry/alias_store.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/model_store.h"

namespace edgeloop {

namespace {

std::string shape_text(const StoredModel& model) {
  return std::to_string(model.input.channels) + "x" + std::to_string(model.input.height) + "x" + std::to_string(model.input.width) +
         " input and " + std::to_string(model.labels.size()) + " classes";
}

std::set<std::string> test_sets_of(DatasetStore& datasets, const std::string& version_id) {
  std::set<std::string> found;
  for (const Sample& sample : datasets.samples(version_id, kSplitTestPrefix)) found.insert(sample.split);
  return found;
}

void set_alias(Registry& registry, const AliasChange& change) {
  registry.in_transaction([&](SQLite::Database&) { AliasStore(registry).set(change); });
}

}  // namespace

PromoteOutcome promote_challenger(const Workspace& workspace, const PromoteOptions& options) {
  Registry registry = Registry::open(workspace.registry_path());
  ModelStore models(registry);
  AliasStore aliases(registry);
  DatasetStore datasets(registry);
  const ModelRecord challenger = models.resolve(options.challenger);
  const StoredModel challenger_model = load_stored_model(workspace, challenger.id);
  PromoteOutcome outcome;
  outcome.challenger_id = challenger.id;
  outcome.champion_id = aliases.model_for(kAliasChampion).value_or(challenger_model.lineage.parent_model);
  if (outcome.champion_id.empty() || outcome.champion_id == challenger.id) {
    outcome.first_champion = outcome.promoted = outcome.champion_id.empty();
    if (!outcome.first_champion) throw invalid_argument(challenger.id + " is the champion already: nothing to promote");
    set_alias(registry, AliasChange{kAliasChampion, challenger.id, "", "", "first champion (no earlier one to compare with)"});
    return outcome;
  }
  const ModelRecord champion = models.resolve(outcome.champion_id);
  const StoredModel champion_model = load_stored_model(workspace, champion.id);
  if (champion_model.labels != challenger_model.labels || champion_model.input.channels != challenger_model.input.channels ||
      champion_model.input.height != challenger_model.input.height || champion_model.input.width != challenger_model.input.width) {
    throw invalid_argument("challenger " + challenger.id + " takes " + shape_text(challenger_model) + ", the champion " + champion.id +
                           " " + shape_text(champion_model) + ": a challenger must keep the champion's input and class list "
                           "(make one with `edgeloop retrain --champion " + champion.id + "`)");
  }
  set_alias(registry, AliasChange{kAliasChallenger, challenger.id, "", "", "candidate against champion " + champion.id});

  const std::set<std::string> original = test_sets_of(datasets, champion.version_id);
  const std::set<std::string> challenger_sets = test_sets_of(datasets, challenger.version_id);
  for (const std::string& test_set : original) {
    if (!challenger_sets.count(test_set)) {
      throw invalid_argument("challenger " + challenger.id + " was trained on data without the champion's test set " + test_set +
                             ": retrain it on the union (`edgeloop retrain`), which keeps the original test sets frozen");
    }
  }
  const DatasetVersion challenger_data = *datasets.find_version(challenger.version_id);
  std::vector<PairedPredictions> paired;
  for (const std::string& test_set : challenger_sets) {
    const std::string name = test_set.substr(std::string(kSplitTestPrefix).size());
    TestOptions test;
    test.testset = name;
    test.data = challenger_data.reference();
    test.force = true;   // the gate may test the champion again: each use is recorded in the ledger
    test.threads = options.threads;
    test.model = champion.id;
    const EvaluationReport champion_report = test_model(workspace, test);
    test.model = challenger.id;
    const EvaluationReport challenger_report = test_model(workspace, test);
    paired.push_back(PairedPredictions{test_set, !original.count(test_set), challenger_model.labels, champion_report.truth,
                                       champion_report.predicted, challenger_report.predicted});
  }
  outcome.gate = decide_gate(paired, options.gate);
  outcome.forced = !outcome.gate.passed && options.force;
  outcome.promoted = outcome.gate.passed || options.force;
  if (outcome.promoted) {
    Json gate = outcome.gate.to_json();
    gate["options"] = Json{{"alpha", options.gate.alpha}, {"max_recall_drop_points", options.gate.max_recall_drop_points}};
    const std::string reason = outcome.forced ? "forced against the gate (" + outcome.gate.failed_condition + "): " +
                                                    (options.force_reason.empty() ? "no reason given" : options.force_reason)
                                              : "gate passed against " + champion.id;
    set_alias(registry, AliasChange{kAliasChampion, challenger.id, "", "", reason, gate, outcome.forced});
  }
  return outcome;
}

}  // namespace edgeloop
