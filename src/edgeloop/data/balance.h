// Balance: makes a version in which every class counts the same in training, by dropping samples
// of the larger classes (undersample) or by counting samples of the smaller classes more than once
// (oversample, Sample::copies). Only the train split is balanced when the version is split (val
// and test sets are never touched); otherwise every labeled sample. Which samples are dropped or
// repeated is fixed by their content hash and the seed. Called by `edgeloop data balance`.
// Training can instead weight classes; see train/.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {

struct BalanceOptions {
  std::string strategy = "undersample";  // undersample | oversample
  uint64_t seed = 0;                     // changes which samples are dropped or repeated
};

struct BalanceResult {
  DatasetVersion version;                   // the balanced version
  std::map<std::string, int64_t> before;    // class name → training count before (copies included)
  std::map<std::string, int64_t> after;     // class name → training count after
};

BalanceResult balance_dataset(Registry& registry, const std::string& reference, const BalanceOptions& options);

}  // namespace edgeloop
