// `edgeloop train`: parse the flags (over an optional train.yaml), print the recipe the run will
// use (the architecture's defaults for every flag not given), call train/training_session, print
// the curves, the diagnosis and the stored model. `--find-lr` runs only the learning-rate range test.
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli/cli_context.h"
#include "cli/worker_rank_lines.h"
#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"
#include "edgeloop/models/classic_model.h"
#include "edgeloop/train/distributed/distributed_training.h"
#include "edgeloop/train/training_recipe.h"
#include "edgeloop/train/training_session.h"

namespace edgeloop::cli {

namespace {

constexpr double kPercent = 100.0;

// Flags as optionals: only those given override the config file.
struct TrainFlags {
  std::string config_file;
  std::string preprocess_file;
  std::optional<std::string> data, arch, optimizer, schedule, augment, from, learning_rate;
  std::optional<int> epochs, batch, freeze, unfreeze_after, patience;
  std::optional<double> weight_decay, label_smoothing, max_seconds;
  std::optional<uint64_t> seed;
  bool class_weights = false;
  bool keep_classifier = false;
  bool resume = false;
  bool distributed = false;
  bool balance_ranks = false;
  bool find_lr = false;
};

TrainOptions options_from(const TrainFlags& flags, const CliContext& context) {
  Json json = flags.config_file.empty() ? Json::object() : load_config_file(flags.config_file);
  const auto put = [&](const char* key, const auto& value) {
    if (value) json[key] = *value;
  };
  put("data", flags.data);
  put("arch", flags.arch);
  put("optimizer", flags.optimizer);
  put("schedule", flags.schedule);
  if (flags.augment) json["augment"] = *flags.augment == "none" ? std::string() : *flags.augment;
  put("from", flags.from);
  put("epochs", flags.epochs);
  put("batch", flags.batch);
  put("freeze", flags.freeze);
  put("unfreeze_after", flags.unfreeze_after);
  put("patience", flags.patience);
  if (flags.learning_rate) {
    try {
      json["lr"] = *flags.learning_rate == "auto" ? Json("auto") : Json(std::stod(*flags.learning_rate));
    } catch (const std::exception&) {
      throw invalid_argument("--lr " + *flags.learning_rate + ": give a number, e.g. --lr 0.01, or `auto`");
    }
  }
  put("weight_decay", flags.weight_decay);
  put("label_smoothing", flags.label_smoothing);
  put("max_seconds", flags.max_seconds);
  put("seed", flags.seed);
  if (flags.class_weights) json["class_weights"] = true;
  if (flags.keep_classifier) json["keep_classifier"] = true;
  if (flags.resume) json["resume"] = true;
  if (flags.balance_ranks) json["balance_ranks"] = true;
  if (context.threads > 0) json["threads"] = context.threads;
  return TrainOptions::from_json(json, flags.config_file.empty() ? "the command line" : flags.config_file);
}

// One line before the run: the recipe, each field marked when it is the architecture's default.
void print_recipe(const TrainOptions& given) {
  if (given.from_model.empty() && is_classic_arch(given.arch)) return;   // a baseline has no training loop
  std::string line;
  for (const RecipeField& field : describe_recipe(given)) {
    line += (line.empty() ? "" : ", ") + field.name + " " + field.value + (field.given ? "" : "*");
  }
  std::fprintf(stderr, "recipe for %s: %s  (* = the %s default; see `edgeloop train --help`)\n", given.arch.c_str(),
               line.c_str(), recipe_for(given).family.c_str());
}

void print_learning_rate_test(const LearningRateTest& test, bool json) {
  if (json) {
    std::cout << Json{{"suggested_lr", test.suggested_rate}, {"minimum_loss_lr", test.minimum_loss_rate},
                      {"steepest_lr", test.steepest_rate}, {"steps", test.rates.size()}, {"seconds", test.seconds},
                      {"rates", test.rates}, {"losses", test.losses}, {"smoothed_losses", test.smoothed_losses}}
                     .dump(2)
              << "\n";
    return;
  }
  std::printf("learning-rate range test: %zu steps in %.1f s; lowest loss at lr %.3g, steepest fall at lr %.3g\n",
              test.rates.size(), test.seconds, test.minimum_loss_rate, test.steepest_rate);
  std::printf("suggested peak lr: %.3g  (train with --lr %.3g, or --lr auto to find it again)\n", test.suggested_rate,
              test.suggested_rate);
}

void print_outcome(const TrainOutcome& outcome, bool json) {
  const auto& model = outcome.model;
  if (model.id.empty()) {   // a worker rank of a distributed job: rank 0 stored the model
    print_worker_rank_outcome(outcome.result, "trained", "model", json);
    return;
  }
  if (json) {
    Json epochs = Json::array();
    for (const auto& epoch : outcome.result.epochs) {
      epochs.push_back({{"epoch", epoch.epoch}, {"train_loss", epoch.train_loss}, {"train_accuracy", epoch.train_accuracy},
                        {"val_loss", epoch.val_loss}, {"val_accuracy", epoch.val_accuracy},
                        {"learning_rate", epoch.learning_rate}, {"seconds", epoch.seconds},
                        {"images_per_second", epoch.images_per_second}});
    }
    std::cout << Json{{"model", model.id}, {"run", outcome.run_id}, {"arch", model.arch}, {"parameters", model.parameters},
                      {"mflops", model.mflops}, {"metrics", model.metrics}, {"diagnosis", model.diagnosis},
                      {"config", model.lineage.config}, {"epochs", epochs},
                      {"resumed_from_epoch", outcome.result.resumed_from_epoch}}
                     .dump(2)
              << "\n";
    return;
  }
  if (outcome.result.epochs.empty()) {   // a classic baseline: no epochs
    std::printf("model %s  (%s baseline, %lld stored numbers, %.2f MFLOPs)\nvalidation accuracy %.2f%%, trained in %.1f s\n",
                model.id.c_str(), model.arch.c_str(), static_cast<long long>(model.parameters), model.mflops,
                model.metrics["val_accuracy"].get<double>() * kPercent, outcome.result.training_seconds);
    return;
  }
  if (outcome.learning_rate_test) print_learning_rate_test(*outcome.learning_rate_test, false);
  std::printf("%-6s %10s %9s %10s %9s %10s %8s %9s\n", "epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr",
              "seconds", "img/s");
  for (const auto& epoch : outcome.result.epochs) {
    std::printf("%-6d %10.4f %8.2f%% %10.4f %8.2f%% %10.2e %8.1f %9.0f%s\n", epoch.epoch, epoch.train_loss,
                epoch.train_accuracy * kPercent, epoch.val_loss, epoch.val_accuracy * kPercent, epoch.learning_rate,
                epoch.seconds, epoch.images_per_second, epoch.epoch == outcome.result.best_epoch ? "  best" : "");
  }
  std::printf("\nmodel %s  (%s, %lld parameters, %.2f MFLOPs, run %s)\n", model.id.c_str(), model.arch.c_str(),
              static_cast<long long>(model.parameters), model.mflops, outcome.run_id.c_str());
  std::printf("validation accuracy %.2f%% (epoch %d)%s\n", model.metrics["val_accuracy"].get<double>() * kPercent,
              outcome.result.best_epoch, outcome.result.stopped_early ? ", stopped early" : "");
  std::printf("diagnosis: %s\n", model.diagnosis["verdict"].get<std::string>().c_str());
  for (const auto& reason : model.diagnosis["reasons"]) std::printf("  - %s\n", reason.get<std::string>().c_str());
  for (const auto& advice : model.diagnosis["advice"]) std::printf("  try: %s\n", advice.get<std::string>().c_str());
  for (size_t rank = 0; rank < outcome.result.ranks.size(); ++rank) {   // data-parallel: who held whom up
    const RankTiming& timing = outcome.result.ranks[rank];
    std::printf("rank %zu: %lld images, %.1f s working, %.1f s waiting for the other ranks\n", rank,
                static_cast<long long>(timing.images), timing.work_seconds, timing.wait_seconds);
  }
}

}  // namespace

void add_train_commands(CLI::App& app, CliContext& context) {
  auto flags = std::make_shared<TrainFlags>();
  auto* train = app.add_subcommand("train", "Train an architecture on a dataset version and store the model");
  train->add_option("--data", flags->data, "Dataset NAME or NAME@VERSION");
  train->add_option("--arch", flags->arch, "Architecture, e.g. cnn-s, cnn-m:w=0.5 (see `edgeloop models list`)");
  train->footer("Flags not given come from the architecture's default recipe (printed before the run): one-cycle "
                "schedule, peak lr 0.01 for the convolutional families (docs/cli.md).");
  train->add_option("--epochs", flags->epochs,
                    "Epochs at most (early stopping may end sooner; default 10, or as many as --max-seconds allows)");
  train->add_option("--batch", flags->batch, "Batch size (default 128)");
  train->add_option("--lr", flags->learning_rate, "Peak learning rate, or `auto` (a range test finds it; default: the recipe's)");
  train->add_flag("--find-lr", flags->find_lr, "Only run the learning-rate range test and print the suggested rate");
  train->add_option("--optimizer", flags->optimizer, "adam, adamw or sgd (default: the recipe's)");
  train->add_option("--schedule", flags->schedule, "constant, cosine, step or onecycle (default: the recipe's)");
  train->add_option("--weight-decay", flags->weight_decay, "Weight decay (default: the recipe's)");
  train->add_option("--label-smoothing", flags->label_smoothing, "Label smoothing in [0, 1) (default 0)");
  train->add_option("--augment", flags->augment,
                    "Augmentation, e.g. flip,shift=2,rotate=10,brightness=0.2,noise=0.02, or none (default: the recipe's)");
  train->add_flag("--class-weights", flags->class_weights, "Weight the loss by inverse class frequency");
  train->add_option("--patience", flags->patience, "Early stopping: epochs without a better validation loss (default 5)");
  train->add_option("--from", flags->from, "Transfer learning: start from this model, with a new head (unless --keep-classifier)");
  train->add_option("--freeze", flags->freeze, "Transfer learning: freeze the first N blocks");
  train->add_option("--unfreeze-after", flags->unfreeze_after, "Transfer learning: unfreeze all blocks after epoch E");
  train->add_flag("--keep-classifier", flags->keep_classifier,
                  "Transfer learning: keep the --from model's classifier too when the data has its class list (same "
                  "names and order); another class list gets a new one");
  train->add_option("--seed", flags->seed, "Random seed (default 42)");
  train->add_option("--max-seconds", flags->max_seconds, "Stop after this much training time");
  train->add_option("--config", flags->config_file, "train.yaml with the same keys (flags win)");
  train->add_option("--preprocess", flags->preprocess_file, "Preprocess spec (YAML/JSON); default: the dataset's");
  train->add_flag("--resume", flags->resume, "Continue the unfinished run with the same options from its checkpoint");
  train->add_flag("--distributed", flags->distributed,
                  "One rank of a data-parallel job: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE as torchrun sets them; "
                  "--batch is the global batch (docs/distributed.md)");
  train->add_flag("--balance-ranks", flags->balance_ranks,
                  "With --distributed: each rank's share of every batch follows its measured speed, so a slower "
                  "machine does not hold the others up (the result is still one process's, up to rounding)");
  train->callback([&context, flags] {
    run_command(context, [&] {
      if (flags->balance_ranks && !flags->distributed) {
        throw invalid_argument("--balance-ranks shares batches between the ranks of a job: add --distributed");
      }
      const TrainOptions options = options_from(*flags, context);
      const Json pipeline = flags->preprocess_file.empty() ? Json() : load_config_file(flags->preprocess_file);
      TrainerCallbacks callbacks;
      callbacks.progress = context.progress_bar();
      if (flags->find_lr) {
        print_learning_rate_test(find_learning_rate(context.workspace(), options, pipeline, callbacks.progress), context.json);
        return;
      }
      if (!flags->distributed) {
        if (!context.quiet) print_recipe(options);
        print_outcome(train_model(context.workspace(), options, pipeline, callbacks), context.json);
        return;
      }
      const LaunchEnvironment environment = read_launch_environment();
      if (!environment.is_writer()) callbacks.progress = nullptr;   // one progress bar per job
      else if (!context.quiet) print_recipe(options);
      const TrainOutcome outcome = train_model_distributed(context.workspace(), options, pipeline, callbacks, environment);
      print_outcome(outcome, context.json);
    });
  });
}

}  // namespace edgeloop::cli
