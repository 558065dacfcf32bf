#include "edgeloop/data/version_diff.h"

#include <unordered_map>

namespace edgeloop {

namespace {
std::string class_name(const DatasetVersion& version, int label) {
  return label < 0 ? std::string() : version.classes[label];
}
}  // namespace

VersionDiff diff_versions(DatasetStore& store, const std::string& parent_id, const std::string& child_id) {
  VersionDiff diff;
  const std::vector<Sample> child = store.samples(child_id);
  if (parent_id.empty()) {
    diff.added = static_cast<int64_t>(child.size());
    return diff;
  }
  const DatasetVersion parent_version = *store.find_version(parent_id);
  const DatasetVersion child_version = *store.find_version(child_id);
  std::unordered_map<std::string, Sample> parent;
  for (auto& sample : store.samples(parent_id)) parent.emplace(sample.object_hash, std::move(sample));
  for (const Sample& sample : child) {
    const auto found = parent.find(sample.object_hash);
    if (found == parent.end()) {
      ++diff.added;
      continue;
    }
    if (class_name(parent_version, found->second.label) != class_name(child_version, sample.label)) ++diff.relabelled;
    if (found->second.split != sample.split) ++diff.resplit;
    if (found->second.copies != sample.copies) ++diff.recounted;
    parent.erase(found);
  }
  diff.removed = static_cast<int64_t>(parent.size());
  return diff;
}

}  // namespace edgeloop
