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
  int added_copies = 1;          // times each new training image counts (copies_for_share)
};

// Throws Error(kInvalidArgument) when the added version has no labelled sample or a label that
// is not one of the champion's classes (naming it), Error(kNotFound) for an unknown version.
// Added samples keep their split; those without one go to train. `added_share` in [0, 1): the new
// training samples are counted several times (Sample::copies) so that they make about this share
// of an epoch's training images: a few hundred new labels beside 50,000 old ones would otherwise
// be one step in a hundred, and the challenger would barely learn what the device now sees. The old
// data stays most of every epoch, so the old classes are kept. 0: each counted once.
UnionVersion make_union_version(Registry& registry, const std::string& champion_version_id, const std::string& added_reference,
                                double added_share = 0);

// How many times each of `new_count` new training images counts so that they make `added_share`
// of an epoch beside `old_weight` old ones (copies included): at least 1. Exposed for tests.
int copies_for_share(int64_t old_weight, int64_t new_count, double added_share);

}  // namespace edgeloop
