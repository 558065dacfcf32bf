#include "edgeloop/train/training_session.h"

#include <numeric>

#include <spdlog/spdlog.h>

#include "edgeloop/core/error.h"
#include "edgeloop/models/weights_file.h"
#include "edgeloop/train/classic_training.h"
#include "edgeloop/train/code_commit.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/run_store.h"
#include "edgeloop/train/distributed/data_parallel.h"
#include "edgeloop/train/torch_threads.h"
#include "edgeloop/train/trained_model_store.h"
#include "edgeloop/train/training_recipe.h"

namespace edgeloop {

namespace {

constexpr const char* kCheckpointFile = "checkpoint.pt";
constexpr const char* kRunPrefix = "r-";

// The architecture to train: from scratch, or the --from model's with this dataset's classes.
struct StartingPoint {
  ArchSpec spec;
  std::string parent_model;
  WeightMap parent_weights;
  bool keeps_parent_classifier = false;   // --keep-classifier and the same class list: every layer is loaded
};

StartingPoint starting_point(const Workspace& workspace, Registry& registry, const TrainOptions& options,
                             const TrainingData& data) {
  StartingPoint start;
  if (options.from_model.empty()) {
    start.spec = ArchSpec::parse(options.arch);
  } else {
    const ModelRecord parent = ModelStore(registry).resolve(options.from_model);
    const StoredModel stored = load_stored_model(workspace, parent.id);
    if (stored.kind != kModelKindTorch) {
      throw invalid_argument("--from " + parent.id + " is a classic model: transfer learning needs a network");
    }
    start.spec = stored.spec;
    start.parent_model = parent.id;
    start.parent_weights = read_weights_file(model_weights_path(workspace, parent.id));
    // The classifier's rows are the parent's classes: kept only for the same names in the same order
    // (a reordered or renamed list of the same length would load without complaint and mean nothing).
    start.keeps_parent_classifier = options.keep_classifier && stored.labels == data.version.classes;
    if (options.keep_classifier && !start.keeps_parent_classifier) {
      spdlog::info("{} has another class list than {}: the classifier starts anew", data.version.reference(), parent.id);
    }
  }
  const InputShape input = data.input();
  if (!options.from_model.empty() && (start.spec.input.channels != input.channels ||
                                      start.spec.input.height != input.height || start.spec.input.width != input.width)) {
    throw invalid_argument("--from " + start.parent_model + " takes " + std::to_string(start.spec.input.channels) + "x" +
                           std::to_string(start.spec.input.height) + "x" + std::to_string(start.spec.input.width) +
                           " input but " + data.version.reference() +
                           " preprocesses to another shape: pass a preprocess spec with that size");
  }
  start.spec.input = input;
  start.spec.classes = data.classes();
  if (options.freeze_blocks >= start.spec.block_count()) {
    throw invalid_argument("--freeze " + std::to_string(options.freeze_blocks) + " would freeze every block of " +
                           start.spec.to_string() + " (it has " + std::to_string(start.spec.block_count()) +
                           " blocks, the last is the classifier): use at most " +
                           std::to_string(start.spec.block_count() - 1));
  }
  return start;
}

LayerGraphModule build_module(const StartingPoint& start, const TrainOptions& options) {
  torch::manual_seed(options.seed);
  LayerGraphModule module(start.spec);
  if (!start.parent_weights.empty()) {
    const std::vector<std::string> skipped =
        start.keeps_parent_classifier ? std::vector<std::string>{} : std::vector<std::string>{"classifier"};
    load_weights(*module, start.parent_weights, skipped);
  }
  module->freeze_first_blocks(options.freeze_blocks);
  return module;
}

// The run to continue (--resume and an unfinished run with these options) or a new one, recorded.
std::pair<std::string, bool> begin_run(Registry& registry, const TrainOptions& options, const TrainingData& data,
                                       const StartingPoint& start, const Json& config) {
  RunStore runs(registry);
  if (options.resume) {
    if (std::optional<std::string> unfinished = runs.find_unfinished_run(options.fingerprint())) {
      spdlog::info("resuming run {}", *unfinished);
      return {*unfinished, true};
    }
  }
  RunRecord run;
  run.id = new_record_id(kRunPrefix, options.fingerprint());
  run.version_id = data.version.id;
  run.arch = start.spec.to_string();
  run.preprocess_hash = data.pipeline.hash();
  run.config = config;
  run.code_commit = code_commit();
  run.seed = options.seed;
  run.started_at = utc_timestamp();
  registry.in_transaction([&](SQLite::Database&) { runs.add_run(run); });
  return {run.id, false};
}

// Runs the trainer; a failure marks the run failed (its checkpoint stays for --resume).
TrainerResult train_recorded(Registry& registry, const std::string& run_id, LayerGraphModuleImpl& module,
                             const TrainingData& data, const TrainOptions& options, const std::filesystem::path& checkpoint,
                             bool resume, const TrainerCallbacks& callbacks, DataParallel* parallel) {
  RunStore runs(registry);
  try {
    return run_trainer(module, data, options, checkpoint, resume, callbacks, parallel);
  } catch (const Error& error) {
    registry.in_transaction([&](SQLite::Database&) { runs.finish_run(run_id, kRunFailed, Json{{"error", error.what()}}); });
    throw;
  } catch (const c10::Error& error) {
    registry.in_transaction([&](SQLite::Database&) {
      runs.finish_run(run_id, kRunFailed, Json{{"error", error.what_without_backtrace()}});
    });
    throw internal_error(std::string("LibTorch failed while training: ") + error.what_without_backtrace());
  }
}

// Stores the trained module as a model of the run and marks the run finished.
StoredModel store_network_model(const Workspace& workspace, Registry& registry, const TrainOutcome& outcome,
                                LayerGraphModuleImpl& module, const StartingPoint& start, const TrainingData& data,
                                const TrainOptions& options, const Json& config, const DataParallel* parallel) {
  StoredModel model;
  model.kind = kModelKindTorch;
  model.spec = start.spec;
  model.arch = start.spec.to_string();
  describe_training_data(data, model);
  model.lineage.run_id = outcome.run_id;
  model.lineage.parent_model = start.parent_model;
  model.lineage.code_commit = code_commit();
  model.lineage.seed = options.seed;
  model.lineage.config = config;
  const auto& epochs = outcome.result.epochs;
  const EpochRecord best = outcome.result.best_epoch > 0 ? epochs.at(outcome.result.best_epoch - 1) : epochs.back();
  model.metrics = Json{{"val_accuracy", best.val_accuracy},     {"val_loss", best.val_loss},
                       {"best_epoch", outcome.result.best_epoch}, {"epochs", epochs.size()},
                       {"stopped_early", outcome.result.stopped_early},
                       {"images_per_second", outcome.result.images_per_second},
                       {"training_seconds", outcome.result.training_seconds},
                       {"steps", outcome.result.steps}};
  if (parallel != nullptr) {
    model.metrics["world_size"] = parallel->world_size();
    model.metrics["allreduce_wait_seconds"] = outcome.result.allreduce_wait_seconds;
    const std::vector<int64_t>& weights = outcome.result.shard_weights;
    if (!weights.empty()) {   // --balance-ranks: each rank's share of a batch at the end
      const double total = static_cast<double>(std::accumulate(weights.begin(), weights.end(), int64_t{0}));
      Json shares = Json::array();
      for (int64_t weight : weights) shares.push_back(static_cast<double>(weight) / total);
      model.metrics["rank_shares"] = shares;
    }
    Json ranks = Json::array();
    for (const RankTiming& timing : outcome.result.ranks) {
      ranks.push_back({{"images", timing.images}, {"work_seconds", timing.work_seconds},
                       {"wait_seconds", timing.wait_seconds}});
    }
    model.metrics["ranks"] = ranks;
  }
  model.diagnosis = outcome.result.diagnosis.to_json();
  model.parameters = start.spec.parameter_count();
  model.mflops = start.spec.mflops();
  TrainedModelFiles files;
  files.id_salt = outcome.run_id;
  files.run_id = outcome.run_id;
  files.val_accuracy = best.val_accuracy;
  files.write_files = [&] { save_module_weights(module, model_weights_path(workspace, model.id)); };
  files.in_same_transaction = [&] { RunStore(registry).finish_run(outcome.run_id, kRunFinished, model.diagnosis); };
  store_trained_model(workspace, registry, model, files);
  return model;
}

// Throws Error(kInvalidArgument) before any work; true for a classic baseline.
bool check_train_options(const TrainOptions& options) {
  options.validate();
  if (options.data.empty()) throw invalid_argument("no dataset: pass --data NAME[@VERSION]");
  const bool classic = is_classic_arch(options.arch) && options.from_model.empty();
  if (classic) ClassicSpec::parse(options.arch);
  else if (options.from_model.empty()) ArchSpec::parse(options.arch);
  return classic;
}

}  // namespace

TrainOutcome train_model(const Workspace& workspace, const TrainOptions& options, const Json& pipeline_json,
                         const TrainerCallbacks& callbacks) {
  check_train_options(options);   // a bad --arch fails before the data is prepared
  Registry registry = Registry::open(workspace.registry_path());
  const TrainingData data = prepare_training_data(workspace, registry, options.data, pipeline_json, options.threads,
                                                  callbacks.progress);
  return train_model(workspace, registry, options, data, callbacks);
}

LearningRateTest find_learning_rate(const Workspace& workspace, Registry& registry, const TrainOptions& options,
                                    const TrainingData& data, const ProgressCallback& progress) {
  const TrainOptions resolved = with_default_recipe(options);
  if (check_train_options(resolved)) {
    throw invalid_argument(resolved.arch + " is a classic baseline: it has no learning rate to find");
  }
  set_torch_threads(resolved.threads);
  LayerGraphModule module = build_module(starting_point(workspace, registry, resolved, data), resolved);
  return run_learning_rate_test(*module, data, resolved, LearningRateTestOptions{}, progress);
}

LearningRateTest find_learning_rate(const Workspace& workspace, const TrainOptions& options, const Json& pipeline_json,
                                    const ProgressCallback& progress) {
  check_train_options(options);
  Registry registry = Registry::open(workspace.registry_path());
  const TrainingData data =
      prepare_training_data(workspace, registry, options.data, pipeline_json, options.threads, progress);
  return find_learning_rate(workspace, registry, options, data, progress);
}

TrainOutcome train_model(const Workspace& workspace, Registry& registry, const TrainOptions& given,
                         const TrainingData& data, const TrainerCallbacks& callbacks, DataParallel* parallel) {
  const bool classic = check_train_options(given);
  set_torch_threads(given.threads);
  TrainOutcome outcome;
  if (parallel != nullptr) {
    if (classic) {
      throw invalid_argument("--distributed trains networks; " + given.arch +
                             " is a classic baseline: train it without --distributed");
    }
    if (given.find_learning_rate && !given.learning_rate) {
      throw invalid_argument("--lr auto with --distributed: find the rate first (`edgeloop train --find-lr` on one "
                             "machine) and pass it as --lr");
    }
  }
  if (parallel != nullptr && !parallel->is_writer()) {   // a worker rank: train, store nothing
    const TrainOptions options = with_default_recipe(given);
    LayerGraphModule module = build_module(starting_point(workspace, registry, options, data), options);
    try {
      outcome.result = run_trainer(*module, data, options, /*checkpoint_file=*/{}, options.resume, callbacks, parallel);
    } catch (const c10::Error& error) {
      throw internal_error(std::string("LibTorch failed while training: ") + error.what_without_backtrace());
    }
    return outcome;
  }
  if (classic) {
    ClassicOutcome trained = train_classic_model(workspace, registry, given, data);
    outcome.model = std::move(trained.model);
    outcome.result.training_seconds = trained.training_seconds;
    return outcome;
  }
  TrainOptions options = with_default_recipe(given);
  if (options.find_learning_rate && !given.learning_rate) {
    outcome.learning_rate_test = find_learning_rate(workspace, registry, options, data, callbacks.progress);
    options.learning_rate = outcome.learning_rate_test->suggested_rate;
  }
  const StartingPoint start = starting_point(workspace, registry, options, data);
  Json config = options.to_json();
  config["fingerprint"] = options.fingerprint();
  config["dataset_version"] = data.version.id;
  config["recipe"] = recipe_for(options).family;
  bool resumed = false;
  std::tie(outcome.run_id, resumed) = begin_run(registry, options, data, start, config);

  LayerGraphModule module = build_module(start, options);
  TrainerCallbacks trainer_callbacks = callbacks;
  trainer_callbacks.on_epoch = [&](const EpochRecord& record, const Diagnosis& live) {
    registry.in_transaction([&](SQLite::Database&) { RunStore(registry).put_epoch(outcome.run_id, record); });
    if (live.verdict == kVerdictOverfitting) spdlog::warn("epoch {}: {}", record.epoch, live.reasons.front());
    if (callbacks.on_epoch) callbacks.on_epoch(record, live);
  };
  const auto checkpoint = workspace.run_dir(outcome.run_id) / kCheckpointFile;
  outcome.result =
      train_recorded(registry, outcome.run_id, *module, data, options, checkpoint, resumed, trainer_callbacks, parallel);
  outcome.model = store_network_model(workspace, registry, outcome, *module, start, data, options, config, parallel);
  std::error_code ignored;
  std::filesystem::remove(checkpoint, ignored);   // the run is finished: nothing to resume
  return outcome;
}

}  // namespace edgeloop
