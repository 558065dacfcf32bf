#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "edgeloop/core/error.h"
#include "edgeloop/models/weights_file.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/run_store.h"
#include "edgeloop/train/training_recipe.h"
#include "edgeloop/train/training_session.h"
#include "support/temp_dir.h"
#include "train/tiny_dataset.h"
#include "train/weight_difference.h"

namespace edgeloop {

namespace {

constexpr int kTestThreads = 1;

TrainOptions tiny_options(const std::string& data, const std::string& arch, int epochs) {
  TrainOptions options;
  options.data = data;
  options.arch = arch;
  options.epochs = epochs;
  options.batch = 16;
  options.learning_rate = 3e-3;
  options.optimizer = "adam";         // these tests pin the trainer, not the recipe
  options.schedule = "constant";
  options.weight_decay = 0.0;
  options.augment = "";
  options.threads = kTestThreads;
  options.patience = 100;
  options.seed = 5;
  return options;
}

// An MLP on 12 pure-noise images: it can only memorise, so validation accuracy stays at chance.
TrainOptions memorising_options(const Workspace& workspace) {
  const std::string data = testing::make_tiny_dataset(
      workspace, "noise", {.classes = 2, .train_per_class = 6, .val_per_class = 20, .pure_noise = true});
  TrainOptions options = tiny_options(data, "mlp", 40);
  options.batch = 4;
  return options;
}

struct SimulatedKill : std::runtime_error {
  SimulatedKill() : std::runtime_error("killed") {}
};

}  // namespace

TEST(TrainingSession, loss_falls_and_the_model_is_stored_with_its_lineage) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = testing::make_tiny_dataset(workspace, "shapes");
  const TrainOutcome outcome = train_model(workspace, tiny_options(data, "cnn-s:w=0.5", 4), Json(), {});
  const auto& epochs = outcome.result.epochs;
  ASSERT_EQ(epochs.size(), 4u);
  EXPECT_LT(epochs.back().train_loss, epochs.front().train_loss);
  EXPECT_GT(outcome.model.metrics["val_accuracy"].get<double>(), 0.8);

  Registry registry = Registry::open(workspace.registry_path());
  const ModelRecord record = ModelStore(registry).resolve(outcome.model.id.substr(0, 6));
  EXPECT_EQ(record.run_id, outcome.run_id);
  EXPECT_EQ(RunStore(registry).epochs(outcome.run_id).size(), 4u);
  EXPECT_EQ(RunStore(registry).find_run(outcome.run_id)->status, kRunFinished);
  const StoredModel stored = load_stored_model(workspace, outcome.model.id);
  EXPECT_EQ(stored.lineage.dataset, "shapes");
  EXPECT_EQ(stored.lineage.seed, 5u);
  EXPECT_EQ(stored.labels.size(), 3u);
  EXPECT_EQ(stored.spec.input.height, 12);
  EXPECT_FALSE(stored.preprocess_hash.empty());
  EXPECT_TRUE(std::filesystem::exists(model_weights_path(workspace, outcome.model.id)));
}

TEST(TrainingSession, same_seed_and_thread_count_give_the_same_metrics) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = testing::make_tiny_dataset(workspace, "shapes");
  TrainOptions options = tiny_options(data, "cnn-m:w=0.25", 2);
  options.augment = "flip,shift=1,noise=0.02";   // augmentation and dropout must be seeded too
  const auto first = train_model(workspace, options, Json(), {}).result.epochs;
  const auto second = train_model(workspace, options, Json(), {}).result.epochs;
  ASSERT_EQ(first.size(), second.size());
  for (size_t index = 0; index < first.size(); ++index) {
    EXPECT_EQ(first[index].train_loss, second[index].train_loss);
    EXPECT_EQ(first[index].val_loss, second[index].val_loss);
    EXPECT_EQ(first[index].val_accuracy, second[index].val_accuracy);
  }
}

TEST(TrainingSession, resume_after_a_killed_run_matches_an_uninterrupted_run) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = testing::make_tiny_dataset(workspace, "shapes");
  TrainOptions options = tiny_options(data, "cnn-m:w=0.25", 4);
  const auto uninterrupted = train_model(workspace, options, Json(), {}).result.epochs;

  TrainerCallbacks killing;
  killing.on_epoch = [](const EpochRecord& record, const Diagnosis&) {
    if (record.epoch == 3) throw SimulatedKill();   // dies before epoch 3's checkpoint
  };
  EXPECT_THROW(train_model(workspace, options, Json(), killing), SimulatedKill);

  options.resume = true;
  const TrainOutcome resumed = train_model(workspace, options, Json(), {});
  EXPECT_EQ(resumed.result.resumed_from_epoch, 2);
  ASSERT_EQ(resumed.result.epochs.size(), uninterrupted.size());
  for (size_t index = 0; index < uninterrupted.size(); ++index) {
    EXPECT_DOUBLE_EQ(resumed.result.epochs[index].train_loss, uninterrupted[index].train_loss) << index;
    EXPECT_DOUBLE_EQ(resumed.result.epochs[index].val_loss, uninterrupted[index].val_loss) << index;
  }
  Registry registry = Registry::open(workspace.registry_path());
  EXPECT_EQ(RunStore(registry).epochs(resumed.run_id).size(), 4u);
}

TEST(TrainingSession, transfer_learning_keeps_frozen_parameters_unchanged_and_replaces_the_head) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string source = testing::make_tiny_dataset(workspace, "four", {.classes = 4});
  const std::string target = testing::make_tiny_dataset(workspace, "two", {.classes = 2, .seed = 9});
  const TrainOutcome parent = train_model(workspace, tiny_options(source, "cnn-s:w=0.5", 2), Json(), {});

  TrainOptions options = tiny_options(target, "ignored-by-from", 2);
  options.arch = "cnn-s";
  options.from_model = parent.model.id;
  options.freeze_blocks = 2;
  const TrainOutcome child = train_model(workspace, options, Json(), {});
  EXPECT_EQ(child.model.lineage.parent_model, parent.model.id);
  EXPECT_EQ(child.model.spec.classes, 2);

  const WeightMap before = read_weights_file(model_weights_path(workspace, parent.model.id));
  const WeightMap after = read_weights_file(model_weights_path(workspace, child.model.id));
  int frozen_checked = 0, trained_changed = 0;
  for (const auto& [name, tensor] : after) {
    if (name.starts_with("block0.") || name.starts_with("block1.")) {
      EXPECT_EQ(tensor.values, before.at(name).values) << name << " changed although frozen";
      ++frozen_checked;
    } else if (name.starts_with("block2.") && tensor.values != before.at(name).values) {
      ++trained_changed;
    }
  }
  EXPECT_GT(frozen_checked, 4);   // conv weight, bn weight/bias/running stats of two blocks
  EXPECT_GT(trained_changed, 0);
  EXPECT_EQ(after.at("classifier.weight").shape[0], 2);
}

TEST(TrainingSession, keep_classifier_keeps_the_from_models_head_only_for_its_class_list_in_its_order) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = testing::make_tiny_dataset(workspace, "shapes");
  const std::string parent = train_model(workspace, tiny_options(data, "cnn-s:w=0.5", 1), Json(), {}).model.id;
  // The same images with the class list reversed (labels remapped): as many classes, another order.
  std::string reordered;
  {
    Registry registry = Registry::open(workspace.registry_path());
    DatasetStore store(registry);
    const DatasetVersion first = store.resolve(data);
    NewVersion version{first.dataset, first.id, "classes reversed", first.classes, Json::object(), store.samples(first.id)};
    std::reverse(version.classes.begin(), version.classes.end());
    const int last_class = static_cast<int>(version.classes.size()) - 1;
    for (Sample& sample : version.samples) sample.label = last_class - sample.label;
    registry.in_transaction([&](SQLite::Database&) { reordered = store.add_version(version).reference(); });
  }
  // A rate this small leaves every weight where training started: the parent's classifier if it
  // was loaded, a freshly drawn one if not.
  const auto child_head_difference = [&](const std::string& child_data, bool keep_classifier) {
    TrainOptions options = tiny_options(child_data, "cnn-s:w=0.5", 1);
    options.from_model = parent;
    options.keep_classifier = keep_classifier;
    options.learning_rate = 1e-12;
    const std::string child = train_model(workspace, options, Json(), {}).model.id;
    return testing::largest_weight_difference(workspace, parent, child, "classifier.");
  };
  constexpr double kUnchanged = 1e-6, kRedrawn = 1e-3;
  EXPECT_LE(child_head_difference(data, /*keep_classifier=*/true), kUnchanged);
  EXPECT_GT(child_head_difference(data, /*keep_classifier=*/false), kRedrawn) << "train --from starts a new head by default";
  EXPECT_GT(child_head_difference(reordered, /*keep_classifier=*/true), kRedrawn) << "another class order needs a new head";
}

TEST(TrainingSession, diagnosis_reports_overfitting_on_a_deliberately_tiny_dataset) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  TrainOptions options = memorising_options(workspace);
  const TrainOutcome outcome = train_model(workspace, options, Json(), {});
  EXPECT_EQ(outcome.model.diagnosis["verdict"], kVerdictOverfitting) << outcome.model.diagnosis.dump();
}

TEST(TrainingSession, early_stopping_keeps_the_best_epoch) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  TrainOptions options = memorising_options(workspace);
  options.patience = 3;
  const TrainOutcome outcome = train_model(workspace, options, Json(), {});
  EXPECT_TRUE(outcome.result.stopped_early);
  EXPECT_LT(outcome.result.epochs.size(), 40u);
  const double best = outcome.result.epochs.at(outcome.result.best_epoch - 1).val_loss;
  EXPECT_DOUBLE_EQ(outcome.model.metrics["val_loss"].get<double>(), best);
  for (const auto& epoch : outcome.result.epochs) EXPECT_GE(epoch.val_loss, best - options.min_delta);
  EXPECT_EQ(static_cast<int>(outcome.result.epochs.size()), outcome.result.best_epoch + options.patience);
}

TEST(TrainingSession, options_not_given_come_from_the_recipe_and_the_run_stores_them) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  TrainOptions options;
  options.data = testing::make_tiny_dataset(workspace, "shapes");
  options.arch = "cnn-s:w=0.5";
  options.epochs = 1;
  options.batch = 16;
  options.threads = kTestThreads;
  options.weight_decay = 0.01;   // given: kept
  const TrainOutcome outcome = train_model(workspace, options, Json(), {});
  const Json& config = outcome.model.lineage.config;
  const TrainingRecipe recipe = default_recipe("cnn-s");
  EXPECT_EQ(config["recipe"], "cnn-s");
  EXPECT_EQ(config["optimizer"], recipe.optimizer);
  EXPECT_EQ(config["schedule"], recipe.schedule);
  EXPECT_DOUBLE_EQ(config["lr"].get<double>(), recipe.learning_rate);
  EXPECT_DOUBLE_EQ(config["weight_decay"].get<double>(), 0.01);
  EXPECT_EQ(config["augment"], recipe.augment);
  Registry registry = Registry::open(workspace.registry_path());
  EXPECT_EQ(RunStore(registry).find_run(outcome.run_id)->config["lr"], config["lr"]);
}

TEST(TrainingSession, lr_auto_trains_at_the_rate_the_range_test_suggests) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  TrainOptions options = tiny_options(testing::make_tiny_dataset(workspace, "shapes"), "cnn-s:w=0.5", 1);
  options.learning_rate.reset();
  options.find_learning_rate = true;
  const TrainOutcome outcome = train_model(workspace, options, Json(), {});
  ASSERT_TRUE(outcome.learning_rate_test.has_value());
  const LearningRateTest& test = *outcome.learning_rate_test;
  EXPECT_DOUBLE_EQ(outcome.model.lineage.config["lr"].get<double>(), test.suggested_rate);
  EXPECT_GT(test.rates.size(), 10u);
  EXPECT_TRUE(std::is_sorted(test.rates.begin(), test.rates.end()));
  EXPECT_GE(test.suggested_rate, test.rates.front());
  EXPECT_LE(test.suggested_rate, test.minimum_loss_rate);
}

TEST(LearningRateFinder, suggests_the_rate_of_the_lowest_loss_averaged_without_lag) {
  // Flat until 1e-4, falling to a valley at 1e-1, then diverging: the classic range-test shape, with
  // batch-to-batch noise and one lucky batch at 1e-3 far below the curve. The centred average
  // ignores the lucky batch and puts the minimum at the valley or a little before it (the loss rises
  // after the valley faster than it fell, so the window leans to the gentle side: the safe side),
  // never after it as a trailing average does.
  std::vector<double> rates, losses;
  for (int step = 0; step < 100; ++step) {
    const double rate = 1e-5 * std::pow(10.0, step * 5.0 / 99);
    const double position = std::log10(rate);   // -5 .. 0
    rates.push_back(rate);
    const double curve = position < -4 ? 2.3 : position < -1 ? 2.3 - 0.6 * (position + 4) : 0.5 + 4 * (position + 1);
    losses.push_back(curve + (step % 2 == 0 ? 0.08 : -0.08) - (step == 40 ? 1.0 : 0.0));
  }
  double minimum = 0, steepest = 0;
  std::vector<double> smoothed;
  const double suggested = suggest_learning_rate(rates, losses, &minimum, &steepest, &smoothed);
  EXPECT_GE(std::log10(suggested), -1.3);
  EXPECT_LE(std::log10(suggested), -1.0);
  EXPECT_DOUBLE_EQ(suggested, minimum);
  EXPECT_LT(steepest, minimum);
  ASSERT_EQ(smoothed.size(), losses.size());
  EXPECT_THROW(suggest_learning_rate({1e-3}, {2.3}, nullptr, nullptr), Error);
}

TEST(TrainingSession, a_dataset_without_a_validation_split_is_a_clear_error) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = testing::make_tiny_dataset(workspace, "noval", {.val_per_class = 0});
  try {
    train_model(workspace, tiny_options(data, "linear", 1), Json(), {});
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("edgeloop data split"), std::string::npos) << error.what();
  }
}

}  // namespace edgeloop
