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
#include "edgeloop/train/distributed/data_parallel.h"
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

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_optimizer(LayerGraphModuleImpl& module, const TrainOptions& options) {
  const auto parameters = module.parameters();
  const double rate = *options.learning_rate;
  const double decay = *options.weight_decay;
  if (options.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(rate).momentum(options.momentum).weight_decay(decay));
  }
  if (options.optimizer == "adamw") {
    return std::make_unique<torch::optim::AdamW>(parameters, torch::optim::AdamWOptions(rate).weight_decay(decay));
  }
  return std::make_unique<torch::optim::Adam>(parameters, torch::optim::AdamOptions(rate).weight_decay(decay));
}

namespace {

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

// `bytes`: the checkpoint file's content (read here, or received from rank 0).
LoopState load_checkpoint(const std::filesystem::path& path, const std::string& bytes, LayerGraphModuleImpl& module,
                          torch::optim::Optimizer& optimizer, WeightMap& best_weights) {
  try {
    torch::serialize::InputArchive archive;
    std::istringstream stream(bytes);
    archive.load_from(stream);
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

namespace {

// One training loop's working state: what every epoch reads and updates.
struct TrainingLoop {
  LayerGraphModuleImpl& module;
  const TrainingData& data;
  const TrainOptions& options;
  const TrainerCallbacks& callbacks;
  const std::vector<int64_t>& train;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  torch::Tensor class_weights;       // undefined = unweighted loss
  AugmentSpec augment;
  LoopState state;
  WeightMap best_weights;
  int64_t steps_per_epoch = 0;
  int64_t total_steps = 0;           // what the schedule anneals over: epochs or --max-steps, the smaller
  Clock::time_point start = Clock::now();
  bool hit_time_limit = false;
  DataParallel* parallel = nullptr;  // null: this process alone
  int64_t rank_images = 0;           // images this process trained on (data-parallel: its shares)
};

// Sums over one epoch's batches.
struct EpochTotals {
  double loss_sum = 0;
  int64_t correct = 0;
  int64_t seen = 0;
  double learning_rate = 0;          // the last step's
};

double budget_spent(const TrainingLoop& loop) {
  return loop.options.max_seconds > 0 ? seconds_since(loop.start) / loop.options.max_seconds : 0.0;
}

// `any_rank_out_of_time`: data-parallel, the ranks' agreed vote (every rank stops at the same step).
bool out_of_budget(const TrainingLoop& loop, bool any_rank_out_of_time) {
  const bool out_of_time = loop.parallel != nullptr ? any_rank_out_of_time : budget_spent(loop) > 1.0;
  return out_of_time || (loop.options.max_steps > 0 && loop.state.step >= loop.options.max_steps);
}

EpochTotals train_one_epoch(TrainingLoop& loop, int epoch) {
  const TrainOptions& options = loop.options;
  loop.module.train();
  BatchLoaderOptions loader_options;
  loader_options.batch = options.batch;
  loader_options.augment = loop.augment;
  loader_options.seed = options.seed;
  loader_options.epoch = epoch;
  loader_options.threads = options.loader_threads;
  loader_options.prefetch = kLoaderPrefetch;
  if (loop.parallel != nullptr) {   // every rank draws the same order and takes its part of each batch
    loader_options.shard = loop.parallel->rank();
    loader_options.shard_count = loop.parallel->world_size();
    loader_options.shard_weights = loop.parallel->shard_weights();
    loop.parallel->begin_epoch();
  }
  BatchLoader loader(loop.data, loop.train, loader_options);
  const auto epoch_start = Clock::now();
  EpochTotals totals;
  int64_t batches_done = 0;
  while (auto batch = loader.next()) {
    double spent = budget_spent(loop);
    bool any_rank_out_of_time = false;
    loop.optimizer->zero_grad();
    const int64_t count = batch->labels.size(0);
    if (loop.parallel != nullptr) loop.parallel->begin_step(spent);
    if (count > 0) {   // a rank's share of a short last batch may be empty
      const torch::Tensor logits = loop.module.forward(batch->images);
      const torch::Tensor loss = training_loss(logits, batch->labels, options, loop.class_weights);
      if (loop.parallel != nullptr) (loss * loop.parallel->loss_weight(count, batch->global_count)).backward();
      else loss.backward();
      totals.loss_sum += loss.item<double>() * count;
      totals.correct += logits.argmax(1).eq(batch->labels).sum().item<int64_t>();
    }
    if (loop.parallel != nullptr) {   // gradients averaged; every rank steps with the same rate
      const DataParallel::StepAgreement agreed = loop.parallel->finish_step(count);
      spent = agreed.budget_spent;
      any_rank_out_of_time = agreed.stop;
      if (agreed.shard_weights) loader.set_shard_weights(*agreed.shard_weights);
    }
    totals.learning_rate =
        scheduled_learning_rate(options, loop.state.step, loop.total_steps, loop.steps_per_epoch, spent);
    set_learning_rate(*loop.optimizer, totals.learning_rate);
    loop.optimizer->step();
    totals.seen += count;
    loop.rank_images += count;
    ++loop.state.step;
    ++batches_done;
    if (loop.callbacks.progress) {
      const double elapsed = seconds_since(epoch_start);
      const double rate = elapsed > 0 ? totals.seen / elapsed : 0;
      const double eta = rate > 0 ? (static_cast<double>(loop.train.size()) - totals.seen) / rate : 0;
      loop.callbacks.progress(Progress{"epoch " + std::to_string(epoch) + "/" + std::to_string(*options.epochs),
                                       batches_done, loader.batch_count(),
                                       progress_detail(totals.loss_sum / totals.seen,
                                                       double(totals.correct) / totals.seen, rate, eta)});
    }
    if (out_of_budget(loop, any_rank_out_of_time)) {
      loop.hit_time_limit = true;
      break;
    }
  }
  return totals;
}

EpochRecord epoch_record(int epoch, const EpochTotals& totals, const SplitScore& validation, double train_seconds,
                         double seconds) {
  EpochRecord record;
  record.epoch = epoch;
  record.train_loss = totals.seen > 0 ? totals.loss_sum / totals.seen : 0;
  record.train_accuracy = totals.seen > 0 ? static_cast<double>(totals.correct) / totals.seen : 0;
  record.val_loss = validation.loss;
  record.val_accuracy = validation.accuracy;
  record.learning_rate = totals.learning_rate;
  record.seconds = seconds;
  record.images_per_second = train_seconds > 0 ? totals.seen / train_seconds : 0;
  return record;
}

// The validation score, and the epoch's training sums made the job's (data-parallel: summed over
// ranks, each rank scoring its share of the validation split; batch-norm statistics averaged first).
SplitScore score_epoch(TrainingLoop& loop, EpochTotals& totals) {
  const std::vector<int64_t>& val = loop.data.split(kSplitVal);
  if (loop.parallel == nullptr) return score_split(loop.module, loop.data, val, kEvaluationBatch);
  DataParallel& parallel = *loop.parallel;
  parallel.average_buffers(loop.module);
  const std::vector<int64_t> val_share = parallel.share_of(val);
  const SplitScore part = score_split(loop.module, loop.data, val_share, kEvaluationBatch);
  const double share = static_cast<double>(val_share.size());
  std::vector<double> sums{totals.loss_sum, static_cast<double>(totals.correct), static_cast<double>(totals.seen),
                           part.loss * share, part.accuracy * share};
  parallel.sum(sums);
  totals.loss_sum = sums[0];
  totals.correct = static_cast<int64_t>(std::llround(sums[1]));
  totals.seen = static_cast<int64_t>(std::llround(sums[2]));
  const double val_count = std::max<double>(1, static_cast<double>(val.size()));
  return SplitScore{sums[3] / val_count, sums[4] / val_count};
}

// Records the epoch; true when a new best validation loss was reached.
bool note_epoch(TrainingLoop& loop, const EpochRecord& record) {
  LoopState& state = loop.state;
  state.history.push_back(record);
  state.epochs_done = record.epoch;
  if (record.val_loss < state.best_val_loss - loop.options.min_delta) {
    state.best_val_loss = record.val_loss;
    state.best_epoch = record.epoch;
    state.epochs_without_improvement = 0;
    loop.best_weights = extract_weights(loop.module);
    return true;
  }
  ++state.epochs_without_improvement;
  return false;
}

}  // namespace

TrainerResult run_trainer(LayerGraphModuleImpl& module, const TrainingData& data, const TrainOptions& options,
                          const std::filesystem::path& checkpoint_file, bool resume, const TrainerCallbacks& callbacks,
                          DataParallel* parallel) {
  if (!options.resolved()) throw internal_error("run_trainer needs resolved options (with_default_recipe)");
  module.use_channels_last();   // before the optimizer, so its state takes the same layout
  TrainingLoop loop{module, data, options, callbacks, data.split(kSplitTrain), make_optimizer(module, options)};
  if (options.class_weights) loop.class_weights = class_weight_tensor(data, loop.train);
  loop.augment = AugmentSpec::parse(*options.augment);
  loop.state.frozen_blocks = module.frozen_blocks();
  loop.parallel = parallel;
  TrainerResult result;
  const bool writer = parallel == nullptr || parallel->is_writer();
  std::string checkpoint_bytes;
  if (resume && writer && std::filesystem::exists(checkpoint_file)) checkpoint_bytes = read_file(checkpoint_file);
  if (parallel != nullptr) checkpoint_bytes = parallel->share_checkpoint(checkpoint_bytes);
  if (!checkpoint_bytes.empty()) {
    loop.state = load_checkpoint(checkpoint_file, checkpoint_bytes, module, *loop.optimizer, loop.best_weights);
    module.use_channels_last();
    module.freeze_first_blocks(loop.state.frozen_blocks);
    result.resumed_from_epoch = loop.state.epochs_done;
  }
  if (parallel != nullptr) parallel->attach(module);   // rank 0's weights on every rank, gradients hooked
  loop.steps_per_epoch = data.steps_per_epoch(options.batch);
  loop.total_steps = loop.steps_per_epoch * *options.epochs;
  if (options.max_steps > 0) loop.total_steps = std::min(loop.total_steps, options.max_steps);
  int64_t images_trained = 0;
  DiagnosisOptions diagnosis_options;
  diagnosis_options.augmented = !loop.augment.empty();

  for (int epoch = loop.state.epochs_done + 1; epoch <= *options.epochs; ++epoch) {
    if (options.unfreeze_after > 0 && epoch > options.unfreeze_after && module.frozen_blocks() > 0) {
      module.freeze_first_blocks(0);
      loop.state.frozen_blocks = 0;
    }
    const auto epoch_start = Clock::now();
    EpochTotals totals = train_one_epoch(loop, epoch);
    const double train_seconds = seconds_since(epoch_start);
    result.training_seconds += train_seconds;
    const SplitScore validation = score_epoch(loop, totals);
    images_trained += totals.seen;
    const EpochRecord record = epoch_record(epoch, totals, validation, train_seconds, seconds_since(epoch_start));
    note_epoch(loop, record);
    diagnosis_options.best_epoch = loop.state.best_epoch;
    diagnosis_options.frozen_blocks = module.frozen_blocks() > 0;
    if (callbacks.on_epoch) callbacks.on_epoch(record, diagnose_fit(loop.state.history, diagnosis_options));
    if (writer) save_checkpoint(checkpoint_file, module, *loop.optimizer, loop.state, loop.best_weights);
    if (loop.state.epochs_without_improvement >= options.patience) {
      result.stopped_early = true;
      break;
    }
    if (loop.hit_time_limit) break;
  }
  if (!loop.best_weights.empty()) load_weights(module, loop.best_weights);
  module.eval();
  result.hit_time_limit = loop.hit_time_limit;
  result.epochs = loop.state.history;
  result.best_epoch = loop.state.best_epoch;
  result.steps = loop.state.step;
  result.diagnosis = diagnose_fit(loop.state.history, diagnosis_options);
  result.images_per_second = result.training_seconds > 0 ? images_trained / result.training_seconds : 0;
  if (parallel != nullptr) {
    result.allreduce_wait_seconds = parallel->allreduce_wait_seconds();
    result.shard_weights = parallel->shard_weights();
    result.ranks = parallel->gather_rank_timings(loop.rank_images);
  }
  return result;
}

}  // namespace edgeloop
