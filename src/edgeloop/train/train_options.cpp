#include "edgeloop/train/train_options.h"

#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"

namespace edgeloop {

namespace {
constexpr int kMaxEpochs = 100000;
constexpr int kMaxBatch = 65536;
}  // namespace

Json TrainOptions::to_json() const {
  return Json{{"data", data},
              {"arch", arch},
              {"epochs", epochs},
              {"batch", batch},
              {"lr", learning_rate},
              {"optimizer", optimizer},
              {"momentum", momentum},
              {"weight_decay", weight_decay},
              {"schedule", schedule},
              {"step_epochs", step_epochs},
              {"step_factor", step_factor},
              {"label_smoothing", label_smoothing},
              {"class_weights", class_weights},
              {"augment", augment},
              {"patience", patience},
              {"min_delta", min_delta},
              {"from", from_model},
              {"freeze", freeze_blocks},
              {"unfreeze_after", unfreeze_after},
              {"threads", threads},
              {"seed", seed},
              {"max_seconds", max_seconds},
              {"loader_threads", loader_threads}};
}

TrainOptions TrainOptions::from_json(const Json& json, const std::string& source_name) {
  TrainOptions options;
  const Json defaults = options.to_json();
  if (!json.is_object()) throw invalid_argument(source_name + ": training options must be a mapping of key: value");
  for (const auto& [key, value] : json.items()) {
    if (!defaults.contains(key) && key != "resume") {
      throw invalid_argument(source_name + ": unknown training option `" + key + "`: use one of epochs, batch, lr, " +
                             "optimizer, momentum, weight_decay, schedule, step_epochs, step_factor, label_smoothing, " +
                             "class_weights, augment, patience, min_delta, from, freeze, unfreeze_after, threads, seed, "
                             "max_seconds, data, arch");
    }
  }
  try {
    options.data = json.value("data", options.data);
    options.arch = json.value("arch", options.arch);
    options.epochs = json.value("epochs", options.epochs);
    options.batch = json.value("batch", options.batch);
    options.learning_rate = json.value("lr", options.learning_rate);
    options.optimizer = json.value("optimizer", options.optimizer);
    options.momentum = json.value("momentum", options.momentum);
    options.weight_decay = json.value("weight_decay", options.weight_decay);
    options.schedule = json.value("schedule", options.schedule);
    options.step_epochs = json.value("step_epochs", options.step_epochs);
    options.step_factor = json.value("step_factor", options.step_factor);
    options.label_smoothing = json.value("label_smoothing", options.label_smoothing);
    options.class_weights = json.value("class_weights", options.class_weights);
    options.augment = json.value("augment", options.augment);
    options.patience = json.value("patience", options.patience);
    options.min_delta = json.value("min_delta", options.min_delta);
    options.from_model = json.value("from", options.from_model);
    options.freeze_blocks = json.value("freeze", options.freeze_blocks);
    options.unfreeze_after = json.value("unfreeze_after", options.unfreeze_after);
    options.threads = json.value("threads", options.threads);
    options.seed = json.value("seed", options.seed);
    options.resume = json.value("resume", options.resume);
    options.max_seconds = json.value("max_seconds", options.max_seconds);
    options.loader_threads = json.value("loader_threads", options.loader_threads);
  } catch (const Json::exception& error) {
    throw invalid_argument(source_name + ": a training option has the wrong type (" + error.what() + ")");
  }
  return options;
}

void TrainOptions::validate() const {
  const auto bad = [](const std::string& what) { return invalid_argument("training option " + what); };
  if (epochs < 1 || epochs > kMaxEpochs) throw bad("epochs must be 1.." + std::to_string(kMaxEpochs));
  if (batch < 1 || batch > kMaxBatch) throw bad("batch must be 1.." + std::to_string(kMaxBatch));
  if (!(learning_rate > 0)) throw bad("lr must be > 0, e.g. --lr 0.001");
  if (optimizer != "adam" && optimizer != "adamw" && optimizer != "sgd") throw bad("optimizer must be adam, adamw or sgd");
  if (schedule != "constant" && schedule != "cosine" && schedule != "step" && schedule != "onecycle") {
    throw bad("schedule must be constant, cosine, step or onecycle");
  }
  if (label_smoothing < 0 || label_smoothing >= 1) throw bad("label_smoothing must be in [0, 1)");
  if (weight_decay < 0) throw bad("weight_decay must be >= 0");
  if (patience < 1) throw bad("patience must be >= 1");
  if (freeze_blocks < 0) throw bad("freeze must be >= 0");
  if (freeze_blocks > 0 && from_model.empty()) throw bad("--freeze needs --from MODEL (a model to start from)");
  if (step_epochs < 1) throw bad("step_epochs must be >= 1");
  if (loader_threads < 1) throw bad("loader_threads must be >= 1");
}

std::string TrainOptions::fingerprint() const {
  Json json = to_json();
  json.erase("epochs");        // --resume may extend a run
  json.erase("max_seconds");
  json.erase("loader_threads");
  return sha256_hex(canonical_json(json));
}

}  // namespace edgeloop
