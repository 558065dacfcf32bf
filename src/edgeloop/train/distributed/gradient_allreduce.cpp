#include "edgeloop/train/distributed/gradient_allreduce.h"

#include <algorithm>
#include <chrono>

#include "edgeloop/core/error.h"
#include "edgeloop/core/stopwatch.h"

namespace edgeloop {

namespace {
constexpr int64_t kFloatBytes = sizeof(float);
}  // namespace

GradientAllreduce::GradientAllreduce(ProcessGroup& group, std::vector<torch::Tensor> parameters, int shared_values,
                                     int64_t bucket_bytes)
    : group_(group), shared_values_(shared_values) {
  // Reverse registration order: backward reaches the last layers first, so their bucket fills first.
  int64_t floats_in_bucket = 0;
  std::vector<int64_t> bucket_floats{0};
  for (auto parameter = parameters.rbegin(); parameter != parameters.rend(); ++parameter) {
    if (floats_in_bucket > 0 && (floats_in_bucket + parameter->numel()) * kFloatBytes > bucket_bytes) {
      bucket_floats.push_back(0);
      floats_in_bucket = 0;
    }
    Slot slot;
    slot.parameter = *parameter;
    slot.bucket = static_cast<int>(bucket_floats.size()) - 1;
    slot.offset = floats_in_bucket;
    floats_in_bucket += parameter->numel();
    bucket_floats.back() = floats_in_bucket;
    slots_.push_back(slot);
  }
  buckets_.resize(bucket_floats.size());
  for (size_t index = 0; index < buckets_.size(); ++index) {
    const int64_t shared = index == 0 ? shared_values_ : 0;   // ride at the end of bucket 0
    buckets_[index].flat = torch::zeros({bucket_floats[index] + shared}, torch::kFloat32);
  }
  for (const Slot& slot : slots_) ++buckets_[slot.bucket].slot_count;
  hooks_.resize(slots_.size());
  hook_trainable_parameters();
}

GradientAllreduce::~GradientAllreduce() {
  for (size_t index = 0; index < slots_.size(); ++index) {
    if (hooks_[index]) slots_[index].parameter.remove_hook(*hooks_[index]);
  }
}

void GradientAllreduce::hook_trainable_parameters() {
  for (size_t index = 0; index < slots_.size(); ++index) {
    if (hooks_[index] || !slots_[index].parameter.requires_grad()) continue;
    const int slot = static_cast<int>(index);
    hooks_[index] = slots_[index].parameter.register_hook([this, slot](torch::Tensor gradient) {
      on_gradient(slot, gradient);
    });
  }
}

void GradientAllreduce::begin_step(const std::vector<float>& shared) {
  if (static_cast<int>(shared.size()) != shared_values_) throw internal_error("GradientAllreduce: wrong shared value count");
  hook_trainable_parameters();   // blocks unfrozen since the last step
  for (Slot& slot : slots_) slot.filled = false;
  for (Bucket& bucket : buckets_) {
    bucket.filled = 0;
    bucket.pending.reset();
  }
  next_to_start_ = 0;
  float* tail = buckets_.front().flat.data_ptr<float>() + buckets_.front().flat.numel() - shared_values_;
  std::copy(shared.begin(), shared.end(), tail);
}

void GradientAllreduce::on_gradient(int slot_index, const torch::Tensor& gradient) {
  Slot& slot = slots_[slot_index];
  Bucket& bucket = buckets_[slot.bucket];
  // A contiguous NCHW view of the bucket's slice; copy_ converts from a channels-last gradient.
  bucket.flat.narrow(0, slot.offset, slot.parameter.numel()).view(slot.parameter.sizes()).copy_(gradient);
  if (!slot.filled) {
    slot.filled = true;
    ++bucket.filled;
  }
  start_ready_buckets();
}

void GradientAllreduce::start_ready_buckets() {
  while (next_to_start_ < bucket_count() && buckets_[next_to_start_].filled == buckets_[next_to_start_].slot_count) {
    Bucket& bucket = buckets_[next_to_start_];
    bucket.pending.emplace(group_.start_sum(bucket.flat));
    ++next_to_start_;
  }
}

std::vector<float> GradientAllreduce::finish_step() {
  // Parameters backward did not reach (or all of them, when this rank had no images) add zeros.
  for (Slot& slot : slots_) {
    if (slot.filled) continue;
    buckets_[slot.bucket].flat.narrow(0, slot.offset, slot.parameter.numel()).zero_();
    slot.filled = true;
    ++buckets_[slot.bucket].filled;
  }
  start_ready_buckets();
  const float world = static_cast<float>(group_.world_size());
  const auto wait_start = std::chrono::steady_clock::now();
  for (Bucket& bucket : buckets_) {
    bucket.pending->wait();
    bucket.flat.div_(world);   // only after the wait: the sum is complete now
  }
  wait_seconds_ += seconds_since(wait_start);
  torch::NoGradGuard no_grad;
  for (Slot& slot : slots_) {
    if (!slot.parameter.requires_grad()) continue;   // frozen: no gradient, no optimizer step
    const torch::Tensor average = buckets_[slot.bucket].flat.narrow(0, slot.offset, slot.parameter.numel())
                                      .view(slot.parameter.sizes());
    torch::Tensor& gradient = slot.parameter.mutable_grad();
    if (!gradient.defined()) gradient = torch::empty_like(slot.parameter);
    gradient.copy_(average);
  }
  const float* tail = buckets_.front().flat.data_ptr<float>() + buckets_.front().flat.numel() - shared_values_;
  return std::vector<float>(tail, tail + shared_values_);
}

}  // namespace edgeloop
