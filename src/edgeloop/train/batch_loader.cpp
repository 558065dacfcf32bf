#include "edgeloop/train/batch_loader.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr uint64_t kEpochSeedStride = 1000003;      // mixes the epoch into the seed

cv::Mat cached_image(const TrainingData& data, int64_t cache_index) {
  const InputShape shape = data.cache->shape();
  const cv::Mat view(shape.height, shape.width, CV_8UC(shape.channels), const_cast<uint8_t*>(data.cache->image(cache_index)));
  return view.clone();   // the cache is read-only memory
}

}  // namespace


BatchLoader::BatchLoader(const TrainingData& data, std::vector<int64_t> indices, const BatchLoaderOptions& options)
    : data_(data), order_(std::move(indices)), options_(options) {
  if (options_.shuffle) {
    std::mt19937_64 random(options_.seed + kEpochSeedStride * static_cast<uint64_t>(options_.epoch));
    std::shuffle(order_.begin(), order_.end(), random);
  }
  const int64_t size = static_cast<int64_t>(order_.size());
  batch_count_ = (size + options_.batch - 1) / options_.batch;
  const size_t shards = static_cast<size_t>(std::max(1, options_.shard_count));
  if (options_.shard_weights.empty()) options_.shard_weights.assign(shards, 1);
  if (options_.shard_weights.size() != shards) throw internal_error("BatchLoader: one shard weight per shard");
  weight_changes_.emplace_back(0, options_.shard_weights);
  ready_.resize(batch_count_);
  const int threads = std::max(1, options_.threads);
  for (int worker = 0; worker < threads; ++worker) workers_.emplace_back([this, worker] { work(worker); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& worker : workers_) worker.join();
}

int64_t BatchLoader::set_shard_weights(std::vector<int64_t> weights) {
  if (weights.size() != options_.shard_weights.size() ||
      std::any_of(weights.begin(), weights.end(), [](int64_t weight) { return weight <= 0; })) {
    throw internal_error("BatchLoader: one positive shard weight per shard");
  }
  std::lock_guard lock(mutex_);
  // Workers start batch k only while k < consumed_ + prefetch, so no batch from here on has begun.
  const int64_t first = consumed_ + options_.prefetch;
  weight_changes_.emplace_back(first, std::move(weights));
  return first;
}

const std::vector<int64_t>& BatchLoader::shard_weights_for(int64_t batch_index) const {
  auto change = weight_changes_.rbegin();
  while (change->first > batch_index) ++change;   // the first entry starts at batch 0
  return change->second;
}

Batch BatchLoader::make_batch(int64_t batch_index, const std::vector<int64_t>& shard_weights) const {
  const InputShape shape = data_.cache->shape();
  const int64_t global_begin = batch_index * options_.batch;
  const int64_t global_end = std::min<int64_t>(global_begin + options_.batch, static_cast<int64_t>(order_.size()));
  const int64_t global_count = global_end - global_begin;
  // Shard s takes [count·W(s)/W, count·W(s+1)/W) of the batch, W(s) the weights before it: with
  // even weights, the even split; whatever the weights, the shards cover the batch once, in order.
  const int64_t weights_before = std::accumulate(shard_weights.begin(), shard_weights.begin() + options_.shard, int64_t{0});
  const int64_t weights_total = std::accumulate(shard_weights.begin(), shard_weights.end(), int64_t{0});
  const int64_t begin = global_begin + global_count * weights_before / weights_total;
  const int64_t end = global_begin + global_count * (weights_before + shard_weights[options_.shard]) / weights_total;
  Batch batch;
  batch.global_count = global_count;
  batch.indices.assign(order_.begin() + begin, order_.begin() + end);
  const int64_t count = end - begin;
  // Filled as NHWC (the cache's layout, so each image is one memcpy) and handed out as the NCHW
  // view of it: a channels-last tensor, the faster layout for LibTorch's CPU convolutions.
  torch::Tensor images_nhwc = torch::empty({count, shape.height, shape.width, shape.channels}, torch::kFloat32);
  batch.labels = torch::empty({count}, torch::kInt64);
  const int64_t image_floats = static_cast<int64_t>(shape.channels) * shape.height * shape.width;
  float* images = images_nhwc.data_ptr<float>();
  int64_t* labels = batch.labels.data_ptr<int64_t>();
  for (int64_t item = 0; item < count; ++item) {
    cv::Mat image = cached_image(data_, batch.indices[item]);
    if (!options_.augment.empty()) {
      // Seeded by the image's place in the global batch: a rank's shard is augmented as one process would.
      std::seed_seq seed{options_.seed, static_cast<uint64_t>(options_.epoch), static_cast<uint64_t>(batch_index),
                         static_cast<uint64_t>(begin - global_begin + item)};
      std::mt19937_64 random(seed);
      augment_image(image, options_.augment, random);
    }
    const cv::Mat prepared = data_.pipeline.finish_uint8(image);
    const cv::Mat continuous = prepared.isContinuous() ? prepared : prepared.clone();
    std::memcpy(images + item * image_floats, continuous.ptr<float>(), image_floats * sizeof(float));
    labels[item] = data_.labels[batch.indices[item]];
  }
  batch.images = images_nhwc.permute({0, 3, 1, 2});
  return batch;
}

void BatchLoader::work(int worker) {
  const int threads = std::max(1, options_.threads);
  for (int64_t batch_index = worker; batch_index < batch_count_; batch_index += threads) {
    std::vector<int64_t> shard_weights;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || batch_index < consumed_ + options_.prefetch; });
      if (stopping_) return;
      shard_weights = shard_weights_for(batch_index);
    }
    try {
      Batch batch = make_batch(batch_index, shard_weights);
      std::lock_guard lock(mutex_);
      ready_[batch_index] = std::move(batch);
    } catch (const std::exception& error) {
      std::lock_guard lock(mutex_);
      failure_ = error.what();
      stopping_ = true;
    }
    changed_.notify_all();
  }
}

std::optional<Batch> BatchLoader::next() {
  std::unique_lock lock(mutex_);
  if (consumed_ >= batch_count_) return std::nullopt;
  changed_.wait(lock, [&] { return failure_.has_value() || ready_[consumed_].has_value(); });
  if (failure_) throw invalid_argument("loading a batch failed: " + *failure_);
  Batch batch = std::move(*ready_[consumed_]);
  ready_[consumed_].reset();
  ++consumed_;
  lock.unlock();
  changed_.notify_all();
  return batch;
}

}  // namespace edgeloop
