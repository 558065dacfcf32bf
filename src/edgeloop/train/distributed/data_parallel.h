// DataParallel: what the Trainer needs to train one model on several processes with the result
// one process would give: every rank checks that it trains on the same dataset version and
// options as rank 0 before the first step, starts from rank 0's weights (and, on --resume, rank
// 0's checkpoint), takes its share of every global batch, averages gradients through
// GradientAllreduce, sums the epoch's metrics, and keeps batch-norm running statistics equal
// across ranks. Batch statistics inside a step are per rank, as in PyTorch's DDP without
// SyncBatchNorm (docs/distributed.md gives the measured effect). With balancing, the ranks' shares
// of each batch follow their measured speed (rank_balance.h). One training thread.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/train/distributed/gradient_allreduce.h"
#include "edgeloop/train/distributed/process_group.h"
#include "edgeloop/train/distributed/rank_balance.h"
#include "edgeloop/train/distributed/rank_timing.h"
#include "edgeloop/train/train_options.h"
#include "edgeloop/train/training_data.h"

namespace edgeloop {

// What every rank must agree on: the dataset version (its hash), the sample count of each split,
// the preprocess hash, the options that shape training and the code commit.
Json training_agreement(const TrainOptions& options, const TrainingData& data, const std::string& code_commit);
// The first difference of `other` from `reference` as "dataset_version a1b2… (fmnist@2) where rank 0 has
// c3d4… (fmnist@1)"; empty when they agree.
std::string agreement_difference(const Json& reference, const Json& other);

class DataParallel {
 public:
  // `balance_ranks`: shares of each batch follow the ranks' speed; otherwise even shares.
  explicit DataParallel(ProcessGroup& group, bool balance_ranks = false);

  int rank() const { return group_.rank(); }
  int world_size() const { return group_.world_size(); }
  bool is_writer() const { return group_.environment().is_writer(); }
  ProcessGroup& group() { return group_; }

  // Throws Error(kInvalidArgument) on every rank, naming the first rank that differs from rank 0
  // and how, before any training step.
  void check_agreement(const Json& agreement);
  // Rank 0's checkpoint bytes on every rank (empty: start fresh).
  std::string share_checkpoint(const std::string& writer_bytes) { return group_.broadcast_text(writer_bytes); }
  // Copies rank 0's parameters and buffers into `module` on every rank and hooks the gradient
  // averaging onto its trainable parameters. Call once, after the optimizer is made and any
  // checkpoint loaded.
  void attach(LayerGraphModuleImpl& module);

  // Around one step: begin before backward with this rank's share of its time budget spent
  // (--max-seconds; 0 without one), finish after it with the images this rank had. Every rank gets
  // the same answer: stop after this step when any rank's budget ran out, the mean budget spent,
  // which the learning-rate schedule follows so that every rank steps with the same rate, and,
  // balancing, new shard weights for the batch loader (BatchLoader::set_shard_weights).
  struct StepAgreement {
    bool stop = false;
    double budget_spent = 0;
    std::optional<std::vector<int64_t>> shard_weights;
  };
  void begin_epoch();   // the time between epochs (scoring) is not a rank's work
  void begin_step(double budget_spent);
  StepAgreement finish_step(int64_t rank_images);
  // The ranks' weights for their shares of each batch; empty when not balancing (even shares).
  std::vector<int64_t> shard_weights() const;
  // The factor on this rank's mean loss so that the averaged gradient is the gradient of the mean
  // over the whole global batch, also when the last batch splits unevenly.
  double loss_weight(int64_t rank_images, int64_t global_images) const;

  // Sums `values` over ranks, in place.
  void sum(std::vector<double>& values);
  // Averages every floating buffer (batch-norm running mean and variance) over ranks.
  void average_buffers(LayerGraphModuleImpl& module);
  // This rank's contiguous share of `indices` (for scoring a split in parts).
  std::vector<int64_t> share_of(const std::vector<int64_t>& indices) const;

  double allreduce_wait_seconds() const { return gradients_ ? gradients_->wait_seconds() : 0.0; }
  // Every rank's images, work and wait so far (this rank passes its images); a collective: every
  // rank calls it at the same point.
  std::vector<RankTiming> gather_rank_timings(int64_t rank_images);
  int bucket_count() const { return gradients_ ? gradients_->bucket_count() : 0; }

 private:
  ProcessGroup& group_;
  std::unique_ptr<GradientAllreduce> gradients_;
  std::optional<RankBalance> balance_;
  // When this rank's previous step ended (or this epoch began): its work is timed from there.
  std::optional<std::chrono::steady_clock::time_point> last_step_end_;
  float seconds_per_image_ = 0;   // this rank's own work per image in its previous step, 0 = not timed
  double work_seconds_ = 0;       // this rank's own work over all steps (everything but the waits)
};

}  // namespace edgeloop
