// The union version `edgeloop retrain` trains on: the champion's training data (its dataset
// version, every split unchanged, test sets included) plus the labelled samples of the added
// version (new labels from `edgeloop label`), never the new labels alone — fine-tuning on new
// frames only forgets the old classes. Recorded as a new version of the champion's dataset.
// Called by retrain. Not thread-safe (one Registry).
#pragma once

#include <cstdint>
#include <string>

#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {

struct UnionVersion {
  DatasetVersion version;        // the union (or the identical one that existed)
  DatasetVersion champion_data;  // the champion's version
  DatasetVersion added_data;     // the added version
  int64_t added = 0;             // labelled samples taken from the added version
  int64_t already_there = 0;     // of those, images the champion's data held already (its row is kept)
};

// Throws Error(kInvalidArgument) when the added version has no labelled sample or a label that
// is not one of the champion's classes (naming it), Error(kNotFound) for an unknown version.
// Added samples keep their split; those without one go to train.
UnionVersion make_union_version(Registry& registry, const std::string& champion_version_id, const std::string& added_reference);

}  // namespace edgeloop
