#include "edgeloop/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/stopwatch.h"
#include "edgeloop/train/batch_loader.h"
#include "edgeloop/train/learning_rate_schedule.h"

namespace edgeloop {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kEvaluationBatch = 512;      // images per forward pass when scoring a split
constexpr int kLoaderPrefetch = 4;         // batches the loader runs ahead
constexpr const char* kStateKey = "edgeloop_state";
constexpr const char* kOptimizerKey = "edgeloop_optimizer";
constexpr const char* kBestKey = "edgeloop_best";
constexpr const char* kRandomStateKey = "edgeloop_random_state";

std::unique_ptr<torch::optim::Optimizer> make_optimizer(LayerGraphModuleImpl& module, const TrainOptions& options) {
  const auto parameters = module.parameters();
  if (options.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(options.learning_rate).momentum(options.momentum).weight_decay(options.weight_decay));
  }
  if (options.optimizer == "adamw") {
    return std::make_unique<torch::optim::AdamW>(
        parameters, torch::optim::AdamWOptions(options.learning_rate).weight_decay(options.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(options.learning_rate).weight_decay(options.weight_decay));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(learning_rate);
}

// Inverse class frequency over the training split, normalised to mean 1 over present classes.
torch::Tensor class_weight_tensor(const TrainingData& data, const std::vector<int64_t>& train) {
  std::vector<double> counts(data.classes(), 0.0);
  for (int64_t index : train) counts[data.labels[index]] += 1.0;
  torch::Tensor weights = torch::zeros({data.classes()}, torch::kFloat32);
  int present = 0;
  for (double count : counts) present += count > 0 ? 1 : 0;
  for (int label = 0; label < data.classes(); ++label) {
    if (counts[label] > 0) weights[label] = static_cast<float>(train.size() / (present * counts[label]));
  }
  return weights;
}

torch::Tensor training_loss(const torch::Tensor& logits, const torch::Tensor& labels, const TrainOptions& options,
                            const torch::Tensor& class_weights) {
  auto loss_options = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(options.label_smoothing);
  if (class_weights.defined()) loss_options = loss_options.weight(class_weights);
  return torch::nn::functional::cross_entropy(logits, labels, loss_options);
}

std::string progress_detail(double loss, double accuracy, double images_per_second, double eta_seconds) {
  char text[128];
  std::snprintf(text, sizeof text, "loss %.4f acc %.4f %.0f img/s ETA %.0fs", loss, accuracy, images_per_second,
                eta_seconds);
  return text;
}

// What a checkpoint holds besides tensors: enough to continue exactly where it stopped.
struct LoopState {
  int epochs_done = 0;
  int64_t step = 0;
  double best_val_loss = std::numeric_limits<double>::infinity();
  int best_epoch = 0;
  int epochs_without_improvement = 0;
  int frozen_blocks = 0;
  std::vector<EpochRecord> history;

  Json to_json() const {
    Json epochs = Json::array();
    for (const EpochRecord& record : history) {
      epochs.push_back({record.epoch, record.train_loss, record.train_accuracy, record.val_loss, record.val_accuracy,
                        record.learning_rate, record.seconds, record.images_per_second});
    }
    return Json{{"epochs_done", epochs_done}, {"step", step}, {"best_val_loss", best_val_loss},
                {"best_epoch", best_epoch},   {"bad", epochs_without_improvement},
                {"frozen", frozen_blocks},    {"history", epochs}};
  }
  static LoopState from_json(const Json& json) {
    LoopState state;
    state.epochs_done = json.at("epochs_done").get<int>();
    state.step = json.at("step").get<int64_t>();
    state.best_val_loss = json.at("best_val_loss").is_null() ? std::numeric_limits<double>::infinity()
                                                               : json.at("best_val_loss").get<double>();
    state.best_epoch = json.at("best_epoch").get<int>();
    state.epochs_without_improvement = json.at("bad").get<int>();
    state.frozen_blocks = json.at("frozen").get<int>();
    for (const Json& row : json.at("history")) {
      state.history.push_back(EpochRecord{row[0].get<int>(), row[1].get<double>(), row[2].get<double>(),
                                          row[3].get<double>(), row[4].get<double>(), row[5].get<double>(),
                                          row[6].get<double>(), row[7].get<double>()});
    }
    return state;
  }
};

void save_checkpoint(const std::filesystem::path& path, LayerGraphModuleImpl& module, torch::optim::Optimizer& optimizer,
                     const LoopState& state, const WeightMap& best_weights) {
  torch::serialize::OutputArchive archive;
  module.save(archive);
  torch::serialize::OutputArchive optimizer_archive;
  optimizer.save(optimizer_archive);
  archive.write(kOptimizerKey, optimizer_archive);
  torch::serialize::OutputArchive best_archive;
  for (const auto& [name, tensor] : best_weights) {
    best_archive.write(name, torch::from_blob(const_cast<float*>(tensor.values.data()), tensor.shape, torch::kFloat32).clone());
  }
  archive.write(kBestKey, best_archive);
  archive.write(kStateKey, c10::IValue(state.to_json().dump()));
  {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write(kRandomStateKey, generator.get_state());
  }
  std::ostringstream stream;
  archive.save_to(stream);
  std::filesystem::create_directories(path.parent_path());
  write_file_atomically(path, stream.str());
}

LoopState load_checkpoint(const std::filesystem::path& path, LayerGraphModuleImpl& module,
                          torch::optim::Optimizer& optimizer, WeightMap& best_weights) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    module.load(archive);
    torch::serialize::InputArchive optimizer_archive;
    archive.read(kOptimizerKey, optimizer_archive);
    optimizer.load(optimizer_archive);
    c10::IValue state_text;
    archive.read(kStateKey, state_text);
    LoopState state = LoopState::from_json(Json::parse(state_text.toStringRef()));
    torch::serialize::InputArchive best_archive;
    archive.read(kBestKey, best_archive);
    best_weights = extract_weights(module);
    if (state.best_epoch > 0) {
      for (auto& [name, tensor] : best_weights) {
        torch::Tensor stored;
        best_archive.read(name, stored);
        tensor.values.assign(stored.data_ptr<float>(), stored.data_ptr<float>() + stored.numel());
      }
    }
    torch::Tensor random_state;
    archive.read(kRandomStateKey, random_state);
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(random_state);
    return state;
  } catch (const c10::Error& error) {
    throw corrupt("checkpoint " + path.string() + " cannot be read (" + error.what_without_backtrace() +
                  "): delete it and train without --resume");
  } catch (const Json::exception& error) {
    throw corrupt("checkpoint " + path.string() + " has a damaged state (" + error.what() +
                  "): delete it and train without --resume");
  }
}

}  // namespace

SplitScore score_split(LayerGraphModuleImpl& module, const TrainingData& data, const std::vector<int64_t>& indices,
                       int batch) {
  const bool was_training = module.is_training();
  module.eval();
  torch::NoGradGuard no_grad;
  BatchLoaderOptions loader_options;
  loader_options.batch = batch;
  loader_options.shuffle = false;
  BatchLoader loader(data, indices, loader_options);
  double loss_sum = 0;
  int64_t correct = 0;
  while (auto next = loader.next()) {
    const torch::Tensor logits = module.forward(next->images);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, next->labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    correct += logits.argmax(1).eq(next->labels).sum().item<int64_t>();
  }
  module.train(was_training);
  const double count = static_cast<double>(std::max<size_t>(1, indices.size()));
  return SplitScore{loss_sum / count, static_cast<double>(correct) / count};
}

TrainerResult run_trainer(LayerGraphModuleImpl& module, const TrainingData& data, const TrainOptions& options,
                          const std::filesystem::path& checkpoint_file, bool resume, const TrainerCallbacks& callbacks) {
  const std::vector<int64_t>& train = data.split(kSplitTrain);
  const std::vector<int64_t>& val = data.split(kSplitVal);
  module.use_channels_last();   // before the optimizer, so its state takes the same layout
  auto optimizer = make_optimizer(module, options);
  const torch::Tensor class_weights = options.class_weights ? class_weight_tensor(data, train) : torch::Tensor();
  const AugmentSpec augment = AugmentSpec::parse(options.augment);

  TrainerResult result;
  LoopState state;
  state.frozen_blocks = module.frozen_blocks();
  WeightMap best_weights;
  if (resume && std::filesystem::exists(checkpoint_file)) {
    state = load_checkpoint(checkpoint_file, module, *optimizer, best_weights);
    module.use_channels_last();
    module.freeze_first_blocks(state.frozen_blocks);
    result.resumed_from_epoch = state.epochs_done;
  }
  const int64_t steps_per_epoch = (static_cast<int64_t>(train.size()) + options.batch - 1) / options.batch;
  const int64_t total_steps = steps_per_epoch * options.epochs;
  const auto run_start = Clock::now();
  int64_t images_trained = 0;
  DiagnosisOptions diagnosis_options;
  diagnosis_options.augmented = !augment.empty();

  for (int epoch = state.epochs_done + 1; epoch <= options.epochs; ++epoch) {
    if (options.unfreeze_after > 0 && epoch > options.unfreeze_after && module.frozen_blocks() > 0) {
      module.freeze_first_blocks(0);
      state.frozen_blocks = 0;
    }
    module.train();
    BatchLoaderOptions loader_options;
    loader_options.batch = options.batch;
    loader_options.augment = augment;
    loader_options.seed = options.seed;
    loader_options.epoch = epoch;
    loader_options.threads = options.loader_threads;
    loader_options.prefetch = kLoaderPrefetch;
    BatchLoader loader(data, train, loader_options);
    const auto epoch_start = Clock::now();
    double loss_sum = 0;
    int64_t correct = 0;
    int64_t seen = 0;
    int64_t batches_done = 0;
    double learning_rate = options.learning_rate;
    while (auto batch = loader.next()) {
      const double budget_spent = options.max_seconds > 0 ? seconds_since(run_start) / options.max_seconds : 0.0;
      learning_rate = scheduled_learning_rate(options, state.step, total_steps, steps_per_epoch, budget_spent);
      set_learning_rate(*optimizer, learning_rate);
      optimizer->zero_grad();
      const torch::Tensor logits = module.forward(batch->images);
      const torch::Tensor loss = training_loss(logits, batch->labels, options, class_weights);
      loss.backward();
      optimizer->step();
      const int64_t count = batch->labels.size(0);
      loss_sum += loss.item<double>() * count;
      correct += logits.argmax(1).eq(batch->labels).sum().item<int64_t>();
      seen += count;
      ++state.step;
      ++batches_done;
      if (callbacks.progress) {
        const double elapsed = seconds_since(epoch_start);
        const double rate = elapsed > 0 ? seen / elapsed : 0;
        const double eta = rate > 0 ? (static_cast<double>(train.size()) - seen) / rate : 0;
        callbacks.progress(Progress{"epoch " + std::to_string(epoch) + "/" + std::to_string(options.epochs), batches_done,
                                    loader.batch_count(), progress_detail(loss_sum / seen, double(correct) / seen, rate, eta)});
      }
      if (options.max_seconds > 0 && seconds_since(run_start) > options.max_seconds) {
        result.hit_time_limit = true;
        break;
      }
    }
    const double train_seconds = seconds_since(epoch_start);
    result.training_seconds += train_seconds;
    images_trained += seen;
    const SplitScore validation = score_split(module, data, val, kEvaluationBatch);
    EpochRecord record;
    record.epoch = epoch;
    record.train_loss = seen > 0 ? loss_sum / seen : 0;
    record.train_accuracy = seen > 0 ? static_cast<double>(correct) / seen : 0;
    record.val_loss = validation.loss;
    record.val_accuracy = validation.accuracy;
    record.learning_rate = learning_rate;
    record.seconds = seconds_since(epoch_start);
    record.images_per_second = train_seconds > 0 ? seen / train_seconds : 0;
    state.history.push_back(record);
    state.epochs_done = epoch;
    if (validation.loss < state.best_val_loss - options.min_delta) {
      state.best_val_loss = validation.loss;
      state.best_epoch = epoch;
      state.epochs_without_improvement = 0;
      best_weights = extract_weights(module);
    } else {
      ++state.epochs_without_improvement;
    }
    diagnosis_options.best_epoch = state.best_epoch;
    diagnosis_options.frozen_blocks = module.frozen_blocks() > 0;
    if (callbacks.on_epoch) callbacks.on_epoch(record, diagnose_fit(state.history, diagnosis_options));
    save_checkpoint(checkpoint_file, module, *optimizer, state, best_weights);
    if (state.epochs_without_improvement >= options.patience) {
      result.stopped_early = true;
      break;
    }
    if (result.hit_time_limit) break;
  }
  if (!best_weights.empty()) load_weights(module, best_weights);
  module.eval();
  result.epochs = state.history;
  result.best_epoch = state.best_epoch;
  result.diagnosis = diagnose_fit(state.history, diagnosis_options);
  result.images_per_second = result.training_seconds > 0 ? images_trained / result.training_seconds : 0;
  return result;
}

}  // namespace edgeloop
