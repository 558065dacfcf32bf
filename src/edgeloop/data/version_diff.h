// What changed between a version and its parent, for `data show`. Pure reads; not thread-safe
// (uses the caller's DatasetStore).
#pragma once

#include <cstdint>
#include <string>

#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {

struct VersionDiff {
  int64_t added = 0;       // samples in the child only
  int64_t removed = 0;     // samples in the parent only
  int64_t relabelled = 0;  // same image, different label (compared by class name)
  int64_t resplit = 0;     // same image, different split
  int64_t recounted = 0;   // same image, different copies (balance)
};

// `parent_id` may be empty (a first import: everything is added).
VersionDiff diff_versions(DatasetStore& store, const std::string& parent_id, const std::string& child_id);

}  // namespace edgeloop
