#include "edgeloop/promote/union_version.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "edgeloop/core/error.h"
#include "edgeloop/registry/label_store.h"

namespace edgeloop {

namespace {
constexpr double kMaxAddedShare = 0.9;   // the old data keeps at least a tenth of every epoch
constexpr int kMaxCopies = 1000;         // Sample::copies is an int; more would be a handful of images
}  // namespace

int copies_for_share(int64_t old_weight, int64_t new_count, double added_share) {
  if (added_share <= 0 || new_count <= 0 || old_weight <= 0) return 1;
  const double share = std::min(added_share, kMaxAddedShare);
  const double copies = share / (1.0 - share) * static_cast<double>(old_weight) / static_cast<double>(new_count);
  return static_cast<int>(std::clamp(std::round(copies), 1.0, static_cast<double>(kMaxCopies)));
}

UnionVersion make_union_version(Registry& registry, const std::string& champion_version_id, const std::string& added_reference,
                                double added_share) {
  if (added_share < 0 || added_share >= 1) {
    throw invalid_argument("--added-share " + std::to_string(added_share) + " is outside [0, 1): give the share of an epoch the new labels should make, e.g. 0.15");
  }
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
  const size_t first_new = merged.samples.size();   // the champion's rows come first, the new ones after
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
  // The new training images' weight in an epoch (added_share); copies already on a row are kept.
  int64_t old_weight = 0, new_training = 0;
  for (size_t index = 0; index < merged.samples.size(); ++index) {
    if (merged.samples[index].split != kSplitTrain) continue;
    if (index < first_new) old_weight += std::max(1, merged.samples[index].copies);
    else ++new_training;
  }
  result.added_copies = copies_for_share(old_weight, new_training, added_share);
  for (size_t index = first_new; index < merged.samples.size(); ++index) {
    if (merged.samples[index].split == kSplitTrain) merged.samples[index].copies = result.added_copies;
  }
  if (result.added == 0) {
    throw invalid_argument(result.added_data.reference() + " has no labelled sample: label it first with `edgeloop label " +
                           result.added_data.reference() + "`");
  }
  merged.change = "union " + result.champion_data.reference() + " + " + result.added_data.reference() + " (" +
                  std::to_string(result.added - result.already_there) + " new labelled samples)";
  merged.details["union"] = Json{{"champion_data", result.champion_data.reference()}, {"added", result.added_data.reference()},
                                 {"added_samples", result.added - result.already_there},
                                 {"added_share", added_share}, {"added_copies", result.added_copies}};
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
