#include "edgeloop/promote/union_version.h"

#include <algorithm>
#include <set>

#include "edgeloop/core/error.h"
#include "edgeloop/registry/label_store.h"

namespace edgeloop {

UnionVersion make_union_version(Registry& registry, const std::string& champion_version_id, const std::string& added_reference) {
  DatasetStore datasets(registry);
  UnionVersion result;
  auto champion_data = datasets.find_version(champion_version_id);
  if (!champion_data) throw not_found("the champion's dataset version " + champion_version_id + " is not in the registry: restore it");
  result.champion_data = *champion_data;
  result.added_data = datasets.resolve(added_reference);
  const auto& classes = result.champion_data.classes;

  NewVersion merged;
  merged.dataset = result.champion_data.dataset;
  merged.parent_id = result.champion_data.id;
  merged.classes = classes;
  merged.details = result.champion_data.details;
  merged.samples = datasets.samples(result.champion_data.id);
  std::set<std::string> known, champion_splits;
  for (const Sample& sample : merged.samples) {
    known.insert(sample.object_hash);
    champion_splits.insert(sample.split);
  }
  for (Sample sample : datasets.samples(result.added_data.id)) {
    if (sample.label < 0) continue;   // still unlabelled: not training data
    const std::string& name = result.added_data.classes.at(sample.label);
    const auto found = std::find(classes.begin(), classes.end(), name);
    if (found == classes.end()) {
      throw invalid_argument(result.added_data.reference() + ": sample " + sample.origin + " is labelled `" + name +
                             "`, not one of the champion's classes: relabel it, or train a new model with `edgeloop train`");
    }
    if (sample.split.rfind(kSplitTestPrefix, 0) == 0 && champion_splits.count(sample.split)) {
      throw invalid_argument(result.added_data.reference() + " has test set `" + sample.split + "`, which the champion's data " +
                             result.champion_data.reference() + " has too, and the original test set stays frozen: split the new " +
                             "labels with their own test set (data split --group-by capture-session names it captured-...)");
    }
    ++result.added;
    if (!known.insert(sample.object_hash).second) {
      ++result.already_there;
      continue;
    }
    sample.label = static_cast<int>(found - classes.begin());
    if (sample.split.empty()) sample.split = kSplitTrain;
    merged.samples.push_back(std::move(sample));
  }
  if (result.added == 0) {
    throw invalid_argument(result.added_data.reference() + " has no labelled sample: label it first with `edgeloop label " +
                           result.added_data.reference() + "`");
  }
  merged.change = "union " + result.champion_data.reference() + " + " + result.added_data.reference() + " (" +
                  std::to_string(result.added - result.already_there) + " new labelled samples)";
  merged.details["union"] = Json{{"champion_data", result.champion_data.reference()}, {"added", result.added_data.reference()},
                                 {"added_samples", result.added - result.already_there}};
  // The new labels keep their provenance (human, suggestion, batch, oracle) in the union.
  std::vector<SampleProvenance> provenance;
  for (const auto& [hash, row] : LabelStore(registry).provenance(result.added_data.id)) provenance.push_back(row);
  registry.in_transaction([&](SQLite::Database&) {
    result.version = datasets.add_version(merged);
    LabelStore(registry).set_provenance(result.version.id, provenance);
  });
  return result;
}

}  // namespace edgeloop
