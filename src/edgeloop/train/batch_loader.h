// BatchLoader: turns a TrainingData split into batches of float tensors for one epoch, on
// background threads that run ahead of the consumer (shuffle, gather from the memory-mapped
// cache, augment, the pipeline's float ops, HWC → CHW). Batch k is made by thread k mod T with a
// generator seeded by (seed, epoch, k), so batches are the same whatever the timing or thread
// count. With shards, every rank draws the same order and takes its part of each batch, in
// proportion to the ranks' shard weights (even unless set). Used by the Trainer and eval/. One
// consumer thread; LibTorch.
#pragma once

#include <torch/torch.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "edgeloop/train/augmentation.h"
#include "edgeloop/train/training_data.h"

namespace edgeloop {

struct BatchLoaderOptions {
  int batch = 128;               // images per batch (the last may be smaller)
  bool shuffle = true;           // a new order every epoch (seeded)
  AugmentSpec augment;           // empty = none
  uint64_t seed = 42;
  int epoch = 0;                 // mixes into the seed
  int threads = 1;               // background threads
  int prefetch = 4;              // batches made ahead of the consumer
  int shard = 0;                 // data-parallel training: this rank's contiguous part of every batch
  int shard_count = 1;           // ranks that split every batch (`batch` is then the global batch)
  std::vector<int64_t> shard_weights;   // per shard, how much of every batch it takes; empty = even
};

struct Batch {
  torch::Tensor images;          // [N, C, H, W] float, channels-last memory (NHWC)
  torch::Tensor labels;          // [N] int64
  std::vector<int64_t> indices;  // cache indices, in batch order
  int64_t global_count = 0;      // images in the whole batch over all shards (= N with one shard)
};

class BatchLoader {
 public:
  BatchLoader(const TrainingData& data, std::vector<int64_t> indices, const BatchLoaderOptions& options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  int64_t batch_count() const { return batch_count_; }
  // The next batch in order; nullopt after the last. Rethrows a worker's Error.
  std::optional<Batch> next();
  // New shard weights (one per shard, positive) from the first batch no worker has started, which
  // it returns: the batches already made ahead keep theirs. That batch is the same on every rank
  // that calls this after the same number of next() calls, so the ranks' shares keep fitting.
  int64_t set_shard_weights(std::vector<int64_t> weights);

 private:
  Batch make_batch(int64_t batch_index, const std::vector<int64_t>& shard_weights) const;
  const std::vector<int64_t>& shard_weights_for(int64_t batch_index) const;   // under mutex_
  void work(int worker);

  const TrainingData& data_;
  std::vector<int64_t> order_;
  BatchLoaderOptions options_;
  int64_t batch_count_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::optional<Batch>> ready_;
  int64_t consumed_ = 0;
  bool stopping_ = false;
  std::optional<std::string> failure_;
  std::vector<std::pair<int64_t, std::vector<int64_t>>> weight_changes_;   // (first batch, weights), in order
  std::vector<std::thread> workers_;
};

}  // namespace edgeloop
