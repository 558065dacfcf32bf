// Trainer: the epoch loop for one LayerGraphModule on TrainingData: optimizer (Adam, AdamW, SGD
// with momentum), learning-rate schedule, label smoothing, class weights, early stopping on
// validation loss with the best weights restored, an atomic checkpoint after every epoch (and
// resume from it), live fit diagnosis and progress. Registry-free: training_session.h stores
// runs and models around it. LibTorch. One Trainer runs on one thread (plus its loader threads).
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <vector>

#include "edgeloop/core/progress.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/registry/run_store.h"
#include "edgeloop/train/distributed/rank_timing.h"
#include "edgeloop/train/fit_diagnosis.h"
#include "edgeloop/train/train_options.h"
#include "edgeloop/train/training_data.h"

namespace edgeloop {

class DataParallel;   // train/distributed/data_parallel.h

struct TrainerCallbacks {
  ProgressCallback progress;                                                        // per batch
  std::function<void(const EpochRecord&, const Diagnosis& live)> on_epoch;          // after each epoch
};

struct TrainerResult {
  std::vector<EpochRecord> epochs;   // all epochs run (including those before a resume)
  int best_epoch = 0;                // whose weights the module holds at the end
  bool stopped_early = false;        // patience ran out
  bool hit_time_limit = false;       // max_seconds or max_steps ran out
  int64_t steps = 0;                 // optimizer steps taken (including those before a resume)
  int resumed_from_epoch = 0;        // 0 = started fresh
  Diagnosis diagnosis;
  double training_seconds = 0;       // time in training steps (excludes validation)
  double images_per_second = 0;      // over all epochs of this process (of the job, when data-parallel)
  double allreduce_wait_seconds = 0; // data-parallel: time blocked on gradient sums after backward
  std::vector<int64_t> shard_weights; // data-parallel with balancing: the ranks' weights at the end
  std::vector<RankTiming> ranks;     // data-parallel: every rank's images, work and wait
};

// Validation loss (plain cross entropy) and accuracy of `module` on `indices`.
struct SplitScore {
  double loss = 0;
  double accuracy = 0;
};
SplitScore score_split(LayerGraphModuleImpl& module, const TrainingData& data, const std::vector<int64_t>& indices,
                       int batch);

// The optimizer `options` name (resolved: rate and weight decay set), over the module's parameters.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(LayerGraphModuleImpl& module, const TrainOptions& options);

// `checkpoint_file`: written atomically after every epoch; when `resume` and it exists, training
// continues after its epoch. The module must be built (and seeded) by the caller. `options` must be
// resolved (with_default_recipe): Error(kInternal) otherwise.
// `parallel` (null = this process alone): one rank of a data-parallel job; options.batch is the
// global batch, rank 0 alone reads and writes the checkpoint, and every rank ends with the same
// weights and the job's metrics.
TrainerResult run_trainer(LayerGraphModuleImpl& module, const TrainingData& data, const TrainOptions& options,
                          const std::filesystem::path& checkpoint_file, bool resume, const TrainerCallbacks& callbacks,
                          DataParallel* parallel = nullptr);

}  // namespace edgeloop
