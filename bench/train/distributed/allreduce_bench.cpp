// Allreduce of one flat float tensor over the ranks of a job (torchrun variables), for sizes from
// 4 KiB to 16 MiB: the median time per sum, printed by rank 0 as one JSON object per line
// {"bytes": B, "median_ms": T, "gbit_per_s": G}. Also, for each --gradient-bytes G given, the
// time of G bytes summed as buckets of 64 KiB .. 4 MiB (all started, then all waited for): the
// allreduce cost of one training step without overlap with backward. With --arch A (1x28x28
// input, 10 classes, 128 images per rank): real training steps of A (forward, backward with
// GradientAllreduce's hooks, wait) at each bucket size and with one bucket for all gradients,
// {"arch": A, "bucket_bytes": B, "buckets": K, "step_ms": T, "wait_ms": W}, the in-place measure
// of kGradientBucketBytes, and the same step alone (no allreduce) as "bucket_bytes": 0.
//   MASTER_ADDR=127.0.0.1 MASTER_PORT=29600 WORLD_SIZE=2 RANK=0 edgeloop_allreduce_bench &
//   MASTER_ADDR=127.0.0.1 MASTER_PORT=29600 WORLD_SIZE=2 RANK=1 edgeloop_allreduce_bench
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "edgeloop/core/error.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/train/distributed/gradient_allreduce.h"
#include "edgeloop/train/distributed/launch_environment.h"
#include "edgeloop/train/distributed/process_group.h"

namespace {

constexpr int kWarmup = 5;
constexpr int kRepeats = 40;
constexpr int64_t kSmallest = 4 * 1024;
constexpr int64_t kLargest = 16 * 1024 * 1024;
constexpr int64_t kSmallestBucket = 64 * 1024;
constexpr int64_t kLargestBucket = 4 * 1024 * 1024;
constexpr int kBitsPerByte = 8;
constexpr int kImagesPerStep = 128;
constexpr int kTrainingSteps = 15;
constexpr int kTrainingWarmup = 3;
constexpr int kClasses = 10;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Seconds for one "step": `total_bytes` of gradients summed as buckets of `bucket_bytes`, all
// started, then all waited for (as GradientAllreduce does after backward).
double step_seconds(edgeloop::ProcessGroup& group, int64_t total_bytes, int64_t bucket_bytes) {
  std::vector<torch::Tensor> buckets;
  for (int64_t left = total_bytes; left > 0; left -= bucket_bytes) {
    buckets.push_back(torch::ones({std::min(left, bucket_bytes) / static_cast<int64_t>(sizeof(float))}));
  }
  std::vector<double> times;
  for (int repeat = 0; repeat < kWarmup + kRepeats; ++repeat) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<edgeloop::PendingSum> pending;
    for (auto& bucket : buckets) pending.push_back(group.start_sum(bucket));
    for (auto& sum : pending) sum.wait();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (repeat >= kWarmup) times.push_back(seconds);
  }
  return median(times);
}

struct TrainingStep {
  double step_seconds = 0;
  double wait_seconds = 0;
  int buckets = 0;
};

// Median time of a real training step of `arch` with gradients averaged in buckets of
// `bucket_bytes` (0: this rank alone, no allreduce).
TrainingStep training_step(edgeloop::ProcessGroup& group, const std::string& arch, int64_t bucket_bytes) {
  edgeloop::ArchSpec spec = edgeloop::ArchSpec::parse(arch);
  spec.input = edgeloop::InputShape{1, 28, 28};
  spec.classes = kClasses;
  torch::manual_seed(1);
  edgeloop::LayerGraphModule module(spec);
  module->use_channels_last();
  module->train();
  const torch::Tensor images = torch::rand({kImagesPerStep, 1, 28, 28}).contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor labels = torch::randint(kClasses, {kImagesPerStep}, torch::kInt64);
  std::unique_ptr<edgeloop::GradientAllreduce> gradients;
  if (bucket_bytes > 0) gradients = std::make_unique<edgeloop::GradientAllreduce>(group, module->parameters(), /*shared_values=*/0, bucket_bytes);
  std::vector<double> times;
  double wait_before = 0;
  for (int step = 0; step < kTrainingWarmup + kTrainingSteps; ++step) {
    if (step == kTrainingWarmup && gradients) wait_before = gradients->wait_seconds();
    const auto start = std::chrono::steady_clock::now();
    module->zero_grad();
    if (gradients) gradients->begin_step({});
    torch::nn::functional::cross_entropy(module->forward(images), labels).backward();
    if (gradients) gradients->finish_step();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (step >= kTrainingWarmup) times.push_back(seconds);
  }
  TrainingStep result;
  result.step_seconds = median(times);
  if (gradients) {
    result.wait_seconds = (gradients->wait_seconds() - wait_before) / kTrainingSteps;
    result.buckets = gradients->bucket_count();
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<int64_t> gradient_sizes;
    std::vector<std::string> architectures;
    for (int index = 1; index + 1 < argc; ++index) {
      if (std::string(argv[index]) == "--gradient-bytes") gradient_sizes.push_back(std::atoll(argv[index + 1]));
      if (std::string(argv[index]) == "--arch") architectures.push_back(argv[index + 1]);
    }
    torch::set_num_threads(1);
    const edgeloop::LaunchEnvironment environment = edgeloop::read_launch_environment();
    auto group = edgeloop::ProcessGroup::connect(environment, {});
    for (int64_t bytes = kSmallest; bytes <= kLargest; bytes *= 4) {
      const double seconds = step_seconds(*group, bytes, bytes);
      if (environment.is_writer()) {
        std::printf("{\"bytes\": %lld, \"median_ms\": %.4f, \"gbit_per_s\": %.3f}\n", static_cast<long long>(bytes),
                    seconds * 1e3, bytes * kBitsPerByte / seconds / 1e9);
      }
    }
    for (const int64_t gradient_bytes : gradient_sizes) {
      for (int64_t bucket = kSmallestBucket; bucket <= kLargestBucket; bucket *= 2) {
        const double seconds = step_seconds(*group, gradient_bytes, bucket);
        if (environment.is_writer()) {
          std::printf("{\"gradient_bytes\": %lld, \"bucket_bytes\": %lld, \"step_ms\": %.4f}\n",
                      static_cast<long long>(gradient_bytes), static_cast<long long>(bucket), seconds * 1e3);
        }
      }
    }
    constexpr int64_t kOneBucket = int64_t{1} << 40;   // every gradient in one bucket, started after backward
    for (const std::string& arch : architectures) {
      std::vector<int64_t> sizes{0};
      for (int64_t bucket = kSmallestBucket; bucket <= kLargestBucket; bucket *= 2) sizes.push_back(bucket);
      sizes.push_back(kOneBucket);
      for (const int64_t bucket : sizes) {
        const TrainingStep step = training_step(*group, arch, bucket);
        if (environment.is_writer()) {
          std::printf("{\"arch\": \"%s\", \"bucket_bytes\": %lld, \"buckets\": %d, \"step_ms\": %.3f, \"wait_ms\": %.3f}\n",
                      arch.c_str(), static_cast<long long>(bucket == kOneBucket ? -1 : bucket), step.buckets,
                      step.step_seconds * 1e3, step.wait_seconds * 1e3);
          std::fflush(stdout);
        }
      }
    }
    std::fflush(stdout);
    return 0;
  } catch (const edgeloop::Error& error) {
    std::fprintf(stderr, "edgeloop_allreduce_bench: %s\n", error.what());
    return error.exit_status();
  }
}
