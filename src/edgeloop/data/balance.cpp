#include "edgeloop/data/balance.h"

#include <algorithm>
#include <vector>

#include "edgeloop/core/error.h"
#include "edgeloop/data/sample_order.h"

namespace edgeloop {

BalanceResult balance_dataset(Registry& registry, const std::string& reference, const BalanceOptions& options) {
  if (options.strategy != "undersample" && options.strategy != "oversample") {
    throw invalid_argument("unknown balance strategy `" + options.strategy + "`: use undersample or oversample");
  }
  DatasetStore store(registry);
  const DatasetVersion source = store.resolve(reference);
  std::vector<Sample> samples = store.samples(source.id);
  const bool is_split = std::any_of(samples.begin(), samples.end(), [](const Sample& sample) { return !sample.split.empty(); });
  // Per class, the samples that count in training.
  std::map<int, std::vector<size_t>> per_class;
  for (size_t index = 0; index < samples.size(); ++index) {
    const Sample& sample = samples[index];
    if (sample.label < 0 || (is_split && sample.split != kSplitTrain)) continue;
    per_class[sample.label].push_back(index);
  }
  if (per_class.size() < 2) {
    throw invalid_argument(source.reference() + " has fewer than two labeled classes" +
                           std::string(is_split ? " in its train split" : "") + ": there is nothing to balance");
  }
  BalanceResult result;
  int64_t smallest = INT64_MAX, largest = 0;
  for (const auto& [label, indices] : per_class) {
    int64_t count = 0;
    for (size_t index : indices) count += samples[index].copies;
    result.before[source.classes[label]] = count;
    smallest = std::min(smallest, count);
    largest = std::max(largest, count);
  }
  std::vector<bool> dropped(samples.size(), false);
  for (const auto& [label, indices] : per_class) {
    const std::vector<size_t> ordered = samples_in_key_order(samples, indices, options.seed);
    const int64_t size = static_cast<int64_t>(ordered.size());
    if (options.strategy == "undersample") {
      for (int64_t rank = 0; rank < size; ++rank) {
        samples[ordered[rank]].copies = 1;
        if (rank >= smallest) dropped[ordered[rank]] = true;
      }
    } else {
      // Every sample counts `base` times and the first `extra` in key order once more.
      const int64_t base = largest / size, extra = largest % size;
      for (int64_t rank = 0; rank < size; ++rank) samples[ordered[rank]].copies = static_cast<int>(base + (rank < extra ? 1 : 0));
    }
    result.after[source.classes[label]] = options.strategy == "undersample" ? smallest : largest;
  }
  NewVersion version;
  version.dataset = source.dataset;
  version.parent_id = source.id;
  version.classes = source.classes;
  version.details = source.details;
  version.details["balance"] = {{"strategy", options.strategy}, {"seed", options.seed}};
  version.change = "balance " + options.strategy + " seed=" + std::to_string(options.seed);
  for (size_t index = 0; index < samples.size(); ++index) {
    if (!dropped[index]) version.samples.push_back(samples[index]);
  }
  registry.in_transaction([&](SQLite::Database&) { result.version = store.add_version(version); });
  return result;
}

}  // namespace edgeloop
