#include <gtest/gtest.h>

#include <map>
#include <set>

#include "data_test_support.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/data/balance.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/data/split.h"
#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {
namespace {

using testing::TestWorkspace;

// `count` synthetic samples: labels cycle over `classes` unless `label_of` says otherwise.
std::vector<Sample> make_samples(int count, int classes, int first = 0, const std::string& origin = "train") {
  std::vector<Sample> samples;
  for (int index = first; index < first + count; ++index) {
    Sample sample;
    sample.object_hash = sha256_hex(std::to_string(index));
    sample.label = index % classes;
    sample.origin = origin + "#" + std::to_string(index);
    samples.push_back(sample);
  }
  return samples;
}

std::map<std::pair<int, std::string>, int> counts_of(const std::vector<Sample>& samples, const std::vector<std::string>& splits) {
  std::map<std::pair<int, std::string>, int> counts;
  for (size_t index = 0; index < samples.size(); ++index) ++counts[{samples[index].label, splits[index]}];
  return counts;
}

TEST(Split, stratification_is_exact_per_class) {
  const auto samples = make_samples(3000, 3);  // 1000 per class
  SplitOptions options;
  options.val_fraction = 0.1;
  options.test_sets = {{"test", 0.2}};
  const auto splits = assign_splits(samples, options, /*keep_existing=*/false);
  const auto counts = counts_of(samples, splits);
  for (int label = 0; label < 3; ++label) {
    EXPECT_EQ((counts.at({label, "val"})), 100);
    EXPECT_EQ((counts.at({label, "test:test"})), 200);
    EXPECT_EQ((counts.at({label, "train"})), 700);
  }
}

TEST(Split, same_seed_same_split_and_another_seed_another) {
  const auto samples = make_samples(500, 5);
  SplitOptions options;
  const auto first = assign_splits(samples, options, false);
  EXPECT_EQ(first, assign_splits(samples, options, false));
  std::vector<Sample> reversed(samples.rbegin(), samples.rend());
  auto reversed_splits = assign_splits(reversed, options, false);
  std::reverse(reversed_splits.begin(), reversed_splits.end());
  EXPECT_EQ(first, reversed_splits);  // row order does not matter, only content and seed
  options.seed = 7;
  EXPECT_NE(first, assign_splits(samples, options, false));
}

TEST(Split, split_is_stable_when_data_is_added) {
  TestWorkspace test;
  testing::write_idx_pair(test.dir / "a", "train", 200, 4, /*gzip=*/false, 0);
  testing::write_idx_pair(test.dir / "b", "train", 100, 4, /*gzip=*/false, 5000);
  ImportOptions import;
  import.name = "grow";
  import.threads = 2;
  import_dataset(test.workspace, test.registry, test.dir / "a", import);
  SplitOptions options;
  options.val_fraction = 0.2;
  options.test_sets = {{"test", 0.2}};
  const SplitResult before = split_dataset(test.registry, "grow", options);
  import.add = true;
  import_dataset(test.workspace, test.registry, test.dir / "b", import);
  const SplitResult after = split_dataset(test.registry, "grow", options);
  EXPECT_TRUE(after.kept_existing);
  EXPECT_EQ(after.newly_assigned, 100);
  DatasetStore store(test.registry);
  std::map<std::string, std::string> old_splits;
  for (const auto& sample : store.samples(before.version.id)) old_splits[sample.object_hash] = sample.split;
  std::map<std::string, int> totals;
  for (const auto& sample : store.samples(after.version.id)) {
    ++totals[sample.split];
    if (old_splits.count(sample.object_hash)) EXPECT_EQ(sample.split, old_splits[sample.object_hash]);
  }
  EXPECT_EQ(totals["val"], 60);  // 20% of 300, topped up from the new samples
  EXPECT_EQ(totals["test:test"], 60);
  EXPECT_EQ(totals["train"], 180);
}

TEST(Split, keep_origin_test_keeps_the_source_test_set_and_splits_the_rest) {
  auto samples = make_samples(400, 4, 0, "train");
  const auto official = make_samples(80, 4, 1000, "t10k");
  samples.insert(samples.end(), official.begin(), official.end());
  SplitOptions options;
  options.val_fraction = 0.1;
  options.test_sets = {};
  options.keep_origin_test = "official";
  const auto splits = assign_splits(samples, options, false);
  std::map<std::string, int> totals;
  for (size_t index = 0; index < samples.size(); ++index) {
    ++totals[splits[index]];
    if (is_origin_test(samples[index].origin)) EXPECT_EQ(splits[index], "test:official");
  }
  EXPECT_EQ(totals["test:official"], 80);
  EXPECT_EQ(totals["val"], 40);
  EXPECT_EQ(totals["train"], 360);
}

TEST(Split, several_named_test_sets) {
  const auto samples = make_samples(1000, 2);
  SplitOptions options;
  options.val_fraction = 0.1;
  options.test_sets = {{"indoor", 0.1}, {"outdoor", 0.05}};
  const auto counts = counts_of(samples, assign_splits(samples, options, false));
  EXPECT_EQ((counts.at({0, "test:indoor"})), 50);
  EXPECT_EQ((counts.at({1, "test:outdoor"})), 25);
}

TEST(Split, bad_fractions_are_refused) {
  const auto samples = make_samples(10, 2);
  SplitOptions options;
  options.val_fraction = 0.6;
  options.test_sets = {{"test", 0.6}};
  EXPECT_THROW(assign_splits(samples, options, false), Error);
  options.test_sets = {{"a", 0.1}, {"a", 0.1}};
  options.val_fraction = 0.1;
  EXPECT_THROW(assign_splits(samples, options, false), Error);
}

TEST(Split, a_duplicate_image_is_one_sample_so_it_cannot_sit_on_both_sides) {
  TestWorkspace test;
  testing::write_image(test.dir / "img" / "a" / "1.png", testing::seeded_image(1));
  testing::write_image(test.dir / "img" / "a" / "1-copy.png", testing::seeded_image(1));
  testing::write_image(test.dir / "img" / "a" / "2.png", testing::seeded_image(2));
  ImportOptions import;
  import.name = "dup";
  import_dataset(test.workspace, test.registry, test.dir / "img", import);
  SplitOptions options;
  options.val_fraction = 0.5;
  options.test_sets = {};
  const SplitResult result = split_dataset(test.registry, "dup", options);
  const auto samples = DatasetStore(test.registry).samples(result.version.id);
  EXPECT_EQ(samples.size(), 2u);
  std::set<std::string> hashes;
  for (const auto& sample : samples) EXPECT_TRUE(hashes.insert(sample.object_hash).second);
}

TEST(Split, resplitting_with_the_same_options_returns_the_same_version) {
  TestWorkspace test;
  testing::write_idx_pair(test.dir / "a", "train", 40, 2, /*gzip=*/false);
  ImportOptions import;
  import.name = "same";
  import_dataset(test.workspace, test.registry, test.dir / "a", import);
  const SplitResult first = split_dataset(test.registry, "same", SplitOptions{});
  const SplitResult second = split_dataset(test.registry, "same", SplitOptions{});
  EXPECT_EQ(first.version.id, second.version.id);
  EXPECT_EQ(DatasetStore(test.registry).versions("same").size(), 2u);
}

TEST(Balance, undersample_trims_train_to_the_smallest_class_and_leaves_val_and_test) {
  TestWorkspace test;
  testing::write_image(test.dir / "img" / "a" / "0.png", testing::seeded_image(0));
  for (int index = 1; index < 40; ++index) {
    testing::write_image(test.dir / "img" / (index % 4 == 0 ? "a" : "b") / (std::to_string(index) + ".png"), testing::seeded_image(index));
  }
  ImportOptions import;
  import.name = "skewed";
  import_dataset(test.workspace, test.registry, test.dir / "img", import);  // a: 10, b: 30
  SplitOptions split;
  split.val_fraction = 0.2;
  split.test_sets = {{"test", 0.2}};
  const SplitResult before = split_dataset(test.registry, "skewed", split);
  const BalanceResult under = balance_dataset(test.registry, "skewed", BalanceOptions{"undersample", 1});
  EXPECT_EQ(under.before.at("a"), 6);
  EXPECT_EQ(under.before.at("b"), 18);
  EXPECT_EQ(under.after.at("b"), 6);
  DatasetStore store(test.registry);
  std::map<std::string, int> splits_before, splits_after;
  for (const auto& sample : store.samples(before.version.id)) ++splits_before[sample.split];
  for (const auto& sample : store.samples(under.version.id)) ++splits_after[sample.split];
  EXPECT_EQ(splits_after["train"], 12);
  EXPECT_EQ(splits_after["val"], splits_before["val"]);
  EXPECT_EQ(splits_after["test:test"], splits_before["test:test"]);
}

TEST(Balance, oversample_repeats_smaller_classes_up_to_the_largest) {
  TestWorkspace test;
  for (int index = 0; index < 13; ++index) {
    testing::write_image(test.dir / "img" / (index < 3 ? "a" : "b") / (std::to_string(index) + ".png"), testing::seeded_image(index));
  }
  ImportOptions import;
  import.name = "skewed";
  import_dataset(test.workspace, test.registry, test.dir / "img", import);  // a: 3, b: 10
  const BalanceResult over = balance_dataset(test.registry, "skewed", BalanceOptions{"oversample", 0});
  int copies_of_a = 0;
  for (const auto& sample : DatasetStore(test.registry).samples(over.version.id)) {
    if (sample.label == 0) copies_of_a += sample.copies;
  }
  EXPECT_EQ(copies_of_a, 10);
  EXPECT_EQ(over.after.at("a"), 10);
  EXPECT_THROW(balance_dataset(test.registry, "skewed", BalanceOptions{"smote", 0}), Error);
}

}  // namespace
}  // namespace edgeloop
