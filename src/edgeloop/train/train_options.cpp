#include "edgeloop/train/train_options.h"

#include <algorithm>
#include <vector>

#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"

namespace edgeloop {

namespace {
constexpr int kMaxEpochs = 100000;
constexpr int kMaxBatch = 65536;
constexpr const char* kAutoLearningRate = "auto";   // lr: auto = find it with a range test

template <typename Value>
void put_if_set(Json& json, const char* key, const std::optional<Value>& value) {
  if (value) json[key] = *value;
}

template <typename Value>
void read_if_present(const Json& json, const char* key, std::optional<Value>& value) {
  if (json.contains(key) && !json[key].is_null()) value = json[key].get<Value>();
}
}  // namespace

Json TrainOptions::to_json() const {
  Json json{{"data", data},
            {"arch", arch},
            {"batch", batch},
            {"momentum", momentum},
            {"step_epochs", step_epochs},
            {"step_factor", step_factor},
            {"label_smoothing", label_smoothing},
            {"class_weights", class_weights},
            {"patience", patience},
            {"min_delta", min_delta},
            {"from", from_model},
            {"freeze", freeze_blocks},
            {"unfreeze_after", unfreeze_after},
            {"threads", threads},
            {"seed", seed},
            {"max_seconds", max_seconds},
            {"max_steps", max_steps},
            {"loader_threads", loader_threads}};
  put_if_set(json, "epochs", epochs);
  put_if_set(json, "optimizer", optimizer);
  put_if_set(json, "weight_decay", weight_decay);
  put_if_set(json, "schedule", schedule);
  put_if_set(json, "augment", augment);
  // Written only when set, so that the configs (and --resume fingerprints) of runs without it stay as they were.
  if (keep_classifier) json["keep_classifier"] = true;
  if (balance_ranks) json["balance_ranks"] = true;
  if (learning_rate) json["lr"] = *learning_rate;
  else if (find_learning_rate) json["lr"] = kAutoLearningRate;
  if (find_learning_rate) json["lr_found_by_range_test"] = true;
  return json;
}

TrainOptions TrainOptions::from_json(const Json& json, const std::string& source_name) {
  TrainOptions options;
  static const std::vector<std::string> known = {
      "data", "arch", "epochs", "batch", "lr", "optimizer", "momentum", "weight_decay", "schedule", "step_epochs",
      "step_factor", "label_smoothing", "class_weights", "augment", "patience", "min_delta", "from", "freeze",
      "unfreeze_after", "keep_classifier", "threads", "seed", "resume", "max_seconds", "max_steps", "loader_threads",
      "lr_found_by_range_test", "balance_ranks"};
  if (!json.is_object()) throw invalid_argument(source_name + ": training options must be a mapping of key: value");
  for (const auto& [key, value] : json.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
      throw invalid_argument(source_name + ": unknown training option `" + key + "`: use one of " + list);
    }
  }
  try {
    options.data = json.value("data", options.data);
    options.arch = json.value("arch", options.arch);
    read_if_present(json, "epochs", options.epochs);
    options.batch = json.value("batch", options.batch);
    if (json.contains("lr") && json["lr"].is_string()) {
      if (json["lr"].get<std::string>() != kAutoLearningRate) {
        throw invalid_argument(source_name + ": lr must be a number or `auto` (a range test finds it)");
      }
      options.find_learning_rate = true;
    } else {
      read_if_present(json, "lr", options.learning_rate);
    }
    options.find_learning_rate = options.find_learning_rate || json.value("lr_found_by_range_test", false);
    read_if_present(json, "optimizer", options.optimizer);
    options.momentum = json.value("momentum", options.momentum);
    read_if_present(json, "weight_decay", options.weight_decay);
    read_if_present(json, "schedule", options.schedule);
    options.step_epochs = json.value("step_epochs", options.step_epochs);
    options.step_factor = json.value("step_factor", options.step_factor);
    options.label_smoothing = json.value("label_smoothing", options.label_smoothing);
    options.class_weights = json.value("class_weights", options.class_weights);
    read_if_present(json, "augment", options.augment);
    options.patience = json.value("patience", options.patience);
    options.min_delta = json.value("min_delta", options.min_delta);
    options.from_model = json.value("from", options.from_model);
    options.freeze_blocks = json.value("freeze", options.freeze_blocks);
    options.unfreeze_after = json.value("unfreeze_after", options.unfreeze_after);
    options.keep_classifier = json.value("keep_classifier", options.keep_classifier);
    options.threads = json.value("threads", options.threads);
    options.seed = json.value("seed", options.seed);
    options.resume = json.value("resume", options.resume);
    options.max_seconds = json.value("max_seconds", options.max_seconds);
    options.max_steps = json.value("max_steps", options.max_steps);
    options.loader_threads = json.value("loader_threads", options.loader_threads);
    options.balance_ranks = json.value("balance_ranks", options.balance_ranks);
  } catch (const Json::exception& error) {
    throw invalid_argument(source_name + ": a training option has the wrong type (" + error.what() + ")");
  }
  return options;
}

void TrainOptions::validate() const {
  const auto bad = [](const std::string& what) { return invalid_argument("training option " + what); };
  if (epochs && (*epochs < 1 || *epochs > kMaxEpochs)) throw bad("epochs must be 1.." + std::to_string(kMaxEpochs));
  if (batch < 1 || batch > kMaxBatch) throw bad("batch must be 1.." + std::to_string(kMaxBatch));
  if (learning_rate && !(*learning_rate > 0)) throw bad("lr must be > 0, e.g. --lr 0.001, or `auto`");
  if (optimizer && *optimizer != "adam" && *optimizer != "adamw" && *optimizer != "sgd") {
    throw bad("optimizer must be adam, adamw or sgd");
  }
  if (schedule && *schedule != "constant" && *schedule != "cosine" && *schedule != "step" && *schedule != "onecycle") {
    throw bad("schedule must be constant, cosine, step or onecycle");
  }
  if (label_smoothing < 0 || label_smoothing >= 1) throw bad("label_smoothing must be in [0, 1)");
  if (weight_decay && *weight_decay < 0) throw bad("weight_decay must be >= 0");
  if (patience < 1) throw bad("patience must be >= 1");
  if (freeze_blocks < 0) throw bad("freeze must be >= 0");
  if (freeze_blocks > 0 && from_model.empty()) throw bad("--freeze needs --from MODEL (a model to start from)");
  if (keep_classifier && from_model.empty()) throw bad("--keep-classifier needs --from MODEL (a model to start from)");
  if (step_epochs < 1) throw bad("step_epochs must be >= 1");
  if (loader_threads < 1) throw bad("loader_threads must be >= 1");
  if (max_steps < 0) throw bad("max_steps must be >= 0");
}

bool TrainOptions::resolved() const {
  return epochs && learning_rate && optimizer && weight_decay && schedule && augment;
}

std::string TrainOptions::fingerprint() const {
  Json json = to_json();
  json.erase("epochs");        // --resume may extend a run
  json.erase("max_seconds");
  json.erase("max_steps");
  json.erase("loader_threads");
  json.erase("balance_ranks");   // who computes which images of a batch, not what is trained
  return sha256_hex(canonical_json(json));
}

}  // namespace edgeloop
