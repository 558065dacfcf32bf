#include "edgeloop/data/split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/data/sample_order.h"
#include "edgeloop/data/split_groups.h"
#include "edgeloop/registry/label_store.h"

namespace edgeloop {

namespace {

constexpr double kFractionTolerance = 1e-9;

// The splits in the order they are filled, each with its share of a class.
struct Share {
  std::string split;
  double fraction;
};

std::vector<Share> shares_of(const SplitOptions& options) {
  std::vector<Share> shares;
  if (options.val_fraction > 0) shares.push_back({kSplitVal, options.val_fraction});
  for (const auto& test : options.test_sets) {
    if (test.fraction > 0) shares.push_back({kSplitTestPrefix + test.name, test.fraction});
  }
  return shares;
}

void check_options(const SplitOptions& options) {
  double total = options.val_fraction;
  if (options.val_fraction < 0) throw invalid_argument("--val must be between 0 and 1");
  std::set<std::string> names;
  for (const auto& test : options.test_sets) {
    if (test.fraction < 0) throw invalid_argument("--test must be between 0 and 1");
    if (test.name.empty() || test.name.find_first_of(" :/") != std::string::npos) {
      throw invalid_argument("test set name `" + test.name + "` is not valid: use letters, digits, '-' and '_'");
    }
    if (!names.insert(test.name).second) throw invalid_argument("test set `" + test.name + "` is named twice");
    total += test.fraction;
  }
  if (!options.keep_origin_test.empty() && names.count(options.keep_origin_test)) {
    throw invalid_argument("test set `" + options.keep_origin_test + "` is both --keep-origin-test and --test-name: pick one");
  }
  if (total > 1 + kFractionTolerance) {
    throw invalid_argument("val and test shares add up to more than 1: lower --val or --test");
  }
}

// A group's place in the draw: a function of its key and the seed only, like sample_key.
std::string group_order_key(const std::string& group, uint64_t seed) { return sha256_hex(std::to_string(seed) + ":" + group); }

// Whole groups to sides. Existing sides are kept (a group with one keeps it for its new samples);
// new groups go, in their key order, to the first share still under its target, else to train.
std::vector<std::string> assign_group_splits(const std::vector<Sample>& samples, const SplitOptions& options,
                                             const std::vector<std::string>& initial) {
  const std::vector<Share> shares = shares_of(options);
  const std::vector<std::string> groups = split_groups(samples, options.group_by);
  std::vector<std::string> splits = initial;
  std::map<std::string, std::string> side_of_group;
  std::map<std::string, int64_t> counts;
  int64_t total = 0;
  const std::string origin_test = options.keep_origin_test.empty() ? "" : kSplitTestPrefix + options.keep_origin_test;
  for (size_t index = 0; index < samples.size(); ++index) {
    if (!splits[index].empty() && splits[index] == origin_test) continue;
    ++total;
    if (splits[index].empty()) continue;
    side_of_group.emplace(groups[index], splits[index]);
    ++counts[splits[index]];
  }
  std::map<std::string, std::vector<size_t>> pending;   // group → its unassigned samples
  for (size_t index = 0; index < samples.size(); ++index) {
    if (!splits[index].empty()) continue;
    if (auto side = side_of_group.find(groups[index]); side != side_of_group.end()) {
      splits[index] = side->second;
      ++counts[side->second];
    } else {
      pending[groups[index]].push_back(index);
    }
  }
  std::vector<std::pair<std::string, std::string>> ordered;   // (order key, group)
  for (const auto& [group, indices] : pending) ordered.emplace_back(group_order_key(group, options.seed), group);
  std::sort(ordered.begin(), ordered.end());
  for (const auto& [order_key, group] : ordered) {
    std::string side = kSplitTrain;
    for (const Share& share : shares) {
      if (counts[share.split] < std::llround(static_cast<double>(total) * share.fraction)) {
        side = share.split;
        break;
      }
    }
    for (size_t index : pending[group]) splits[index] = side;
    counts[side] += static_cast<int64_t>(pending[group].size());
  }
  return splits;
}

}  // namespace

Json SplitOptions::to_json() const {
  Json tests = Json::array();
  for (const auto& test : test_sets) tests.push_back({{"name", test.name}, {"fraction", test.fraction}});
  Json json{{"val", val_fraction}, {"test_sets", tests}, {"keep_origin_test", keep_origin_test}, {"seed", seed}};
  if (!group_by.empty()) json["group_by"] = group_by;   // absent otherwise, so earlier splits still match
  return json;
}

std::string captured_test_set_name(const DatasetVersion& version) {
  return "captured-" + version.dataset + "-" + std::to_string(version.number);
}

bool is_origin_test(const std::string& origin) {
  const std::string source_part = origin.substr(0, origin.find('#'));
  return source_part == "t10k" || source_part == "test";
}

std::vector<std::string> assign_splits(const std::vector<Sample>& samples, const SplitOptions& options, bool keep_existing) {
  check_options(options);
  const std::vector<Share> shares = shares_of(options);
  std::vector<std::string> splits(samples.size());
  // Per class (label; -1 for unlabeled samples), the samples still to assign and the counts so far.
  std::map<int, std::vector<size_t>> pending;
  std::map<int, std::map<std::string, int64_t>> counts;
  std::map<int, int64_t> class_totals;
  for (size_t index = 0; index < samples.size(); ++index) {
    const Sample& sample = samples[index];
    if (keep_existing && !sample.split.empty()) {
      splits[index] = sample.split;
    } else if (!options.keep_origin_test.empty() && is_origin_test(sample.origin)) {
      splits[index] = kSplitTestPrefix + options.keep_origin_test;
    }
    if (!options.group_by.empty()) continue;
    if (splits[index].empty()) {
      pending[sample.label].push_back(index);
      ++class_totals[sample.label];
    } else if (splits[index] != kSplitTestPrefix + options.keep_origin_test || options.keep_origin_test.empty()) {
      ++counts[sample.label][splits[index]];
      ++class_totals[sample.label];
    }
  }
  if (!options.group_by.empty()) return assign_group_splits(samples, options, splits);
  for (auto& [label, indices] : pending) {
    const int64_t total = class_totals[label];
    std::map<std::string, int64_t>& have = counts[label];
    std::vector<size_t> ordered = samples_in_key_order(samples, indices, options.seed);
    size_t next = 0;
    for (const Share& share : shares) {
      const int64_t target = std::llround(static_cast<double>(total) * share.fraction);
      for (int64_t count = have[share.split]; count < target && next < ordered.size(); ++count) {
        splits[ordered[next++]] = share.split;
      }
    }
    for (; next < ordered.size(); ++next) splits[ordered[next]] = kSplitTrain;
  }
  return splits;
}

SplitResult split_dataset(Registry& registry, const std::string& reference, const SplitOptions& options) {
  DatasetStore store(registry);
  const DatasetVersion source = store.resolve(reference);
  std::vector<Sample> samples = store.samples(source.id);
  SplitResult result;
  const Json options_json = options.to_json();
  result.kept_existing = source.details.contains("split") && source.details["split"] == options_json;
  const std::vector<std::string> splits = assign_splits(samples, options, result.kept_existing);
  for (size_t index = 0; index < samples.size(); ++index) {
    if (!result.kept_existing || samples[index].split.empty()) ++result.newly_assigned;
    samples[index].split = splits[index];
  }
  NewVersion version;
  version.dataset = source.dataset;
  version.parent_id = source.id;
  version.classes = source.classes;
  version.details = source.details;
  version.details["split"] = options_json;
  std::ostringstream change;
  change << "split val=" << options.val_fraction;
  for (const auto& test : options.test_sets) change << " test:" << test.name << "=" << test.fraction;
  if (!options.keep_origin_test.empty()) change << " keep-origin-test=" << options.keep_origin_test;
  if (!options.group_by.empty()) change << " group-by=" << options.group_by;
  change << " seed=" << options.seed;
  version.change = change.str();
  version.samples = std::move(samples);
  std::vector<SampleProvenance> provenance;   // labels given in `edgeloop label` keep how they were given
  for (const auto& [hash, row] : LabelStore(registry).provenance(source.id)) provenance.push_back(row);
  registry.in_transaction([&](SQLite::Database&) {
    result.version = store.add_version(version);
    LabelStore(registry).set_provenance(result.version.id, provenance);
  });
  return result;
}

}  // namespace edgeloop
