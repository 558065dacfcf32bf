// GradientAllreduce: averages a module's gradients over the ranks of a ProcessGroup, the way
// PyTorch's DistributedDataParallel does (LibTorch has no C++ DDP): the parameters, in reverse
// registration order (the order backward produces their gradients), are packed into flat buckets
// of about kGradientBucketBytes; a hook on each parameter copies its gradient into its bucket as
// backward computes it, and each full bucket starts its sum at once, overlapping the rest of
// backward. finish_step() waits for every sum, and only then divides by the world size and writes
// the averages into the parameters' .grad (dividing before the wait races Gloo's reduction, the
// bug in pytorch/examples' C++ MPI example). Buckets start in index order on every rank, so the
// ranks' collectives always match. One training thread; owns its hooks (removed on destruction).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "edgeloop/train/distributed/process_group.h"

namespace edgeloop {

// Bytes of float gradients per bucket. Measured (bench/train/distributed, 2 ranks bound to a core
// each): in bare steps interleaved size by size, cnn-ref's 1.69 MB cost 3-6 ms a step as one
// bucket and 8-21 ms as three of 256 KiB; but in whole training runs one bucket (4 MiB) left
// cnn-ref's throughput unchanged and made cnn-m:w=0.5 slower (2 ranks at 69% of 2 x one process
// against 88%; rank 0 working 30% slower than rank 1). That slowdown turned out to be glibc's
// page faults, fixed since (core/allocator_settings.h): one bucket is to be measured again.
// Figures in docs/distributed.md.
constexpr int64_t kGradientBucketBytes = 256 * 1024;

class GradientAllreduce {
 public:
  // `parameters`: all of the module's, in registration order, the same on every rank. Frozen ones
  // (requires_grad off, e.g. until --unfreeze-after) travel as zeros and get no .grad, so
  // unfreezing needs no new buckets. `shared_values`: how many floats ride with the gradients.
  GradientAllreduce(ProcessGroup& group, std::vector<torch::Tensor> parameters, int shared_values,
                    int64_t bucket_bytes = kGradientBucketBytes);
  ~GradientAllreduce();
  GradientAllreduce(const GradientAllreduce&) = delete;
  GradientAllreduce& operator=(const GradientAllreduce&) = delete;

  // Before backward: clears the buckets. `shared` (shared_values floats) rides at the end of the
  // first bucket to every rank (the trainer's stop vote, time budget, the ranks' speeds), averaged
  // like the gradients; the averages are bit for bit the same on every rank.
  void begin_step(const std::vector<float>& shared);
  // After backward (or in its place, on a rank whose share of this batch is empty: its gradients
  // count as zeros): starts the buckets not yet started, waits for every sum, writes the averages
  // into .grad, and returns the ranks' mean of `shared`. Throws Error(kIo) naming a rank
  // that stopped.
  std::vector<float> finish_step();

  int bucket_count() const { return static_cast<int>(buckets_.size()); }
  double wait_seconds() const { return wait_seconds_; }   // total time finish_step blocked on sums

 private:
  struct Slot {
    torch::Tensor parameter;
    int bucket = 0;
    int64_t offset = 0;        // floats into the bucket
    bool filled = false;       // this step's gradient is in the bucket
  };
  struct Bucket {
    torch::Tensor flat;        // [floats (+kSharedValues in bucket 0)] float32, contiguous
    int slot_count = 0;
    int filled = 0;
    std::optional<PendingSum> pending;
  };
  void hook_trainable_parameters();
  void on_gradient(int slot, const torch::Tensor& gradient);
  void start_ready_buckets();

  ProcessGroup& group_;
  std::vector<Slot> slots_;
  std::vector<Bucket> buckets_;
  std::vector<std::optional<unsigned>> hooks_;   // per slot; none while the parameter is frozen
  int shared_values_ = 0;
  int next_to_start_ = 0;
  double wait_seconds_ = 0;
};

}  // namespace edgeloop
