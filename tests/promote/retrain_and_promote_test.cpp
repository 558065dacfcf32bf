// Retrain on the union and the gated promotion, with real LibTorch on tiny datasets: the challenger
// trains on the champion's data plus the new labels, from the champion's weights, with its
// preprocessing; bad additions are refused before any training; the gate tests both models on
// both test sets through the ledger and moves the aliases with their history.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "edgeloop/core/error.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/promote/promotion.h"
#include "edgeloop/promote/retrain.h"
#include "edgeloop/registry/alias_store.h"
#include "edgeloop/registry/model_store.h"
#include "promote/champion_workspace.h"
#include "train/weight_difference.h"

namespace edgeloop {
namespace {

using testing::ChampionWorkspace;

TEST(Retrain, the_challenger_trains_on_the_union_from_the_champions_weights) {
  ChampionWorkspace ws;
  const std::string added = ws.add_labels("captured-1");
  RetrainOptions options;
  options.champion = ws.champion;
  options.add = added;
  options.epochs = 1;
  options.threads = 1;
  options.added_share = 0.25;   // 14 new beside 90 old: the default share (0.15) would be each counted once
  const RetrainOutcome outcome = retrain_on_union(ws.workspace, options);
  EXPECT_EQ(outcome.data.added, 20);   // 7 per class × 3, one unlabelled left out
  Registry registry = Registry::open(ws.workspace.registry_path());
  DatasetStore store(registry);
  const auto union_samples = store.samples(outcome.data.version.id);
  EXPECT_EQ(union_samples.size(), store.samples(outcome.data.champion_data.id).size() + 20);
  EXPECT_EQ(store.samples(outcome.data.version.id, "test:holdout").size(), store.samples(outcome.data.champion_data.id, "test:holdout").size());
  EXPECT_EQ(store.samples(outcome.data.version.id, "test:captured-1").size(), 6u);
  EXPECT_EQ(outcome.data.version.dataset, "shapes");
  // The new training images are counted so that they make about the share asked for of an epoch;
  // the champion's own rows keep their count.
  int64_t old_weight = 0, new_training = 0;
  for (const Sample& sample : store.samples(outcome.data.champion_data.id, "train")) old_weight += sample.copies;
  for (const Sample& sample : union_samples) {
    if (sample.split != "train") continue;
    const bool is_new = sample.copies != 1;
    new_training += is_new ? 1 : 0;
    if (is_new) EXPECT_EQ(sample.copies, outcome.data.added_copies) << sample.origin;
  }
  EXPECT_EQ(new_training, 14);   // 5 per class × 3, one unlabelled left out
  EXPECT_EQ(outcome.data.added_copies, copies_for_share(old_weight, 14, 0.25));
  EXPECT_GT(outcome.data.added_copies, 1);

  const StoredModel challenger = load_stored_model(ws.workspace, outcome.trained.model.id);
  const StoredModel champion = load_stored_model(ws.workspace, ws.champion);
  EXPECT_EQ(challenger.lineage.parent_model, ws.champion);
  EXPECT_EQ(challenger.lineage.dataset_version, outcome.data.version.id);
  EXPECT_EQ(challenger.preprocess_hash, champion.preprocess_hash);
  EXPECT_EQ(challenger.lineage.seed, champion.lineage.seed);
  EXPECT_EQ(challenger.labels, champion.labels);
  EXPECT_EQ(challenger.lineage.config["from"], ws.champion);
  EXPECT_EQ(challenger.lineage.config.value("keep_classifier", false), true);
}

TEST(Retrain, with_the_champions_class_list_the_challenger_starts_from_the_champions_classifier) {
  ChampionWorkspace ws;
  RetrainOptions options;
  options.champion = ws.champion;
  options.add = ws.add_labels("captured-1");
  options.epochs = 1;
  options.threads = 1;
  // A rate this small leaves every weight where training started: the champion's if its
  // classifier was loaded, a freshly drawn layer's if not.
  options.fine_tune_lr_factor = 1e-9;
  const RetrainOutcome outcome = retrain_on_union(ws.workspace, options);
  EXPECT_LE(testing::largest_weight_difference(ws.workspace, ws.champion, outcome.trained.model.id, "classifier."), 1e-6);
}

TEST(Retrain, a_learning_rate_factor_outside_0_to_1_is_refused_naming_the_flag_before_anything_is_read) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir / "ws");
  for (const double factor : {0.0, -0.3, 1.5, std::nan("")}) {
    RetrainOptions options;
    options.champion = "m-absent";   // not looked up: the factor is checked first
    options.add = "captures@1";
    options.fine_tune_lr_factor = factor;
    try {
      retrain_on_union(workspace, options);
      ADD_FAILURE() << factor << " must be refused";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument) << error.what();
      EXPECT_EQ(std::string(error.what()).rfind("--lr-factor ", 0), 0u) << error.what();
    }
  }
}

TEST(UnionVersion, new_labels_are_counted_to_make_the_share_asked_for_and_at_least_once) {
  EXPECT_EQ(copies_for_share(54000, 400, 0.25), 45);   // 400 × 45 = 18,000 = a quarter of 72,000
  EXPECT_EQ(copies_for_share(1000, 1000, 0.5), 1);
  EXPECT_EQ(copies_for_share(54000, 400, 0), 1);
  EXPECT_EQ(copies_for_share(100, 1000, 0.25), 1);      // already more than the share: once each
  EXPECT_EQ(copies_for_share(54000, 0, 0.25), 1);
}

TEST(Retrain, new_labels_that_reuse_the_original_test_set_name_are_refused_before_training) {
  ChampionWorkspace ws;
  const std::string added = ws.add_labels("holdout");
  RetrainOptions options;
  options.champion = ws.champion;
  options.add = added;
  try {
    retrain_on_union(ws.workspace, options);
    FAIL() << "the original test set must stay frozen";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("test:holdout"), std::string::npos) << error.what();
  }
  Registry registry = Registry::open(ws.workspace.registry_path());
  EXPECT_EQ(ModelStore(registry).list().size(), 1u);   // no challenger
}

}  // namespace
}  // namespace edgeloop

namespace edgeloop {
namespace {

using testing::ChampionWorkspace;

TEST(Promote, the_gate_tests_both_models_on_both_test_sets_and_records_the_aliases) {
  ChampionWorkspace ws;
  PromoteOptions first;
  first.challenger = ws.champion;
  first.threads = 1;
  EXPECT_TRUE(promote_challenger(ws.workspace, first).first_champion);

  RetrainOptions retrain;
  retrain.champion = ws.champion;
  retrain.add = ws.add_labels("captured-1");
  retrain.epochs = 1;
  retrain.threads = 1;
  const std::string challenger = retrain_on_union(ws.workspace, retrain).trained.model.id;

  PromoteOptions options;
  options.challenger = challenger;
  options.threads = 1;
  options.gate.max_recall_drop_points = 100;   // tiny data: only McNemar and the captured set decide
  const PromoteOutcome outcome = promote_challenger(ws.workspace, options);
  ASSERT_EQ(outcome.gate.figures.size(), 2u);
  EXPECT_EQ(outcome.champion_id, ws.champion);
  std::set<std::string> sets;
  for (const auto& figures : outcome.gate.figures) sets.insert(figures.test_set + (figures.captured ? " captured" : ""));
  EXPECT_EQ(sets, (std::set<std::string>{"test:captured-1 captured", "test:holdout"}));

  Registry registry = Registry::open(ws.workspace.registry_path());
  AliasStore aliases(registry);
  EXPECT_EQ(aliases.model_for(kAliasChallenger).value_or(""), challenger);
  EXPECT_EQ(aliases.model_for(kAliasChampion).value_or(""), outcome.promoted ? challenger : ws.champion);
  // The ledger counts the gate's uses: both models on both test sets.
  ModelStore models(registry);
  EXPECT_EQ(models.times_tested(ws.champion, "shapes", "test:holdout"), 1);
  EXPECT_EQ(models.times_tested(challenger, "shapes", "test:captured-1"), 1);

  if (!outcome.promoted) {
    options.force = true;
    options.force_reason = "test";
    const PromoteOutcome forced = promote_challenger(ws.workspace, options);
    EXPECT_TRUE(forced.forced);
    EXPECT_EQ(aliases.model_for(kAliasChampion).value_or(""), challenger);
    EXPECT_TRUE(aliases.history(kAliasChampion).back().forced);
    EXPECT_EQ(models.times_tested(ws.champion, "shapes", "test:holdout"), 2);
  }
  const auto history = aliases.history(kAliasChampion);
  EXPECT_EQ(history.front().reason.rfind("first champion", 0), 0u);
  EXPECT_EQ(history.back().previous_model_id, ws.champion);
  EXPECT_EQ(history.back().gate["test_sets"].size(), 2u);
}

TEST(Promote, a_challenger_with_another_class_list_is_refused_naming_both) {
  ChampionWorkspace ws;
  testing::TinyDatasetOptions four;
  four.classes = 4;
  testing::make_tiny_dataset(ws.workspace, "four", four);
  TrainOptions train;
  train.data = "four@1";
  train.arch = "cnn-s";
  train.epochs = 1;
  train.threads = 1;
  const std::string other = train_model(ws.workspace, train, Json(), {}).model.id;
  PromoteOptions first;
  first.challenger = ws.champion;
  promote_challenger(ws.workspace, first);
  PromoteOptions options;
  options.challenger = other;
  try {
    promote_challenger(ws.workspace, options);
    FAIL() << "another class list must be refused";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("4 classes"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("3 classes"), std::string::npos) << error.what();
  }
  Registry registry = Registry::open(ws.workspace.registry_path());
  EXPECT_EQ(AliasStore(registry).model_for(kAliasChampion).value_or(""), ws.champion);
}

}  // namespace
}  // namespace edgeloop
