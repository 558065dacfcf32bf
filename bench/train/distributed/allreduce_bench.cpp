// Allreduce of one flat float tensor over the ranks of a job (torchrun variables), for sizes from
// 4 KiB to 16 MiB: the median time per sum, printed by rank 0 as one JSON object per line
// {"bytes": B, "median_ms": T, "gbit_per_s": G}. Also, for each --gradient-bytes G given, the
// time of G bytes summed as buckets of 64 KiB .. 4 MiB (all started, then all waited for): the
// allreduce cost of one training step without overlap with backward. With --arch A (1x28x28
// input, 10 classes, 128 images per rank): real training steps of A (forward, backward with
// GradientAllreduce's hooks, wait) at each bucket size, with one bucket for all gradients (-1)
// and alone (0, no allreduce), interleaved round by round, {"arch": A, "bucket_bytes": B,
// "buckets": K, "step_ms": T, "wait_ms": W, "cost_ms": C, "rounds": R}: medians, C being the step
// minus the step alone in the same round. The in-place measure of kGradientBucketBytes. Each rank
// binds to its core as `edgeloop train --distributed` does when LOCAL_WORLD_SIZE is set.
//   MASTER_ADDR=127.0.0.1 MASTER_PORT=29600 WORLD_SIZE=2 RANK=0 edgeloop_allreduce_bench &
//   MASTER_ADDR=127.0.0.1 MASTER_PORT=29600 WORLD_SIZE=2 RANK=1 edgeloop_allreduce_bench
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "edgeloop/core/allocator_settings.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/stopwatch.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/train/distributed/core_binding.h"
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
constexpr int kTrainingRounds = 40;
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
    const double seconds = edgeloop::seconds_since(start);
    if (repeat >= kWarmup) times.push_back(seconds);
  }
  return median(times);
}

// One configuration of the in-place measure: a module of the arch and, unless measured alone, its
// gradients averaged in buckets of `bucket_bytes`.
struct StepConfiguration {
  int64_t bucket_bytes = 0;   // 0: this rank alone, no allreduce
  edgeloop::LayerGraphModule module{nullptr};
  std::unique_ptr<edgeloop::GradientAllreduce> gradients;
  std::vector<double> step_seconds;
  std::vector<double> wait_seconds;
};

struct StepSummary {
  int64_t bucket_bytes = 0;
  int buckets = 0;
  double step_ms = 0;            // median step (forward, backward, wait)
  double wait_ms = 0;            // median wait after backward
  double cost_ms = 0;            // median over rounds of this step minus the step alone in the same round
};

// Real training steps of `arch` (forward, backward with GradientAllreduce's hooks, wait) at each
// of `bucket_sizes`, interleaved: every round runs one step of each configuration, in an order
// that rotates from round to round. Measured one after another (the first version of this
// bench), the same step took 112-167 ms (much of it glibc's page faults, which this bench now
// avoids as the toolkit does); interleaved, a change of speed falls on every size alike, and the cost of a
// size is its step minus the step alone in the same round.
std::vector<StepSummary> interleaved_training_steps(edgeloop::ProcessGroup& group, const std::string& arch,
                                                    const std::vector<int64_t>& bucket_sizes) {
  edgeloop::ArchSpec spec = edgeloop::ArchSpec::parse(arch);
  spec.input = edgeloop::InputShape{1, 28, 28};
  spec.classes = kClasses;
  std::vector<StepConfiguration> configurations(bucket_sizes.size());
  for (size_t index = 0; index < bucket_sizes.size(); ++index) {
    StepConfiguration& configuration = configurations[index];
    configuration.bucket_bytes = bucket_sizes[index];
    torch::manual_seed(1);
    configuration.module = edgeloop::LayerGraphModule(spec);
    configuration.module->use_channels_last();
    configuration.module->train();
    if (configuration.bucket_bytes > 0) {
      configuration.gradients = std::make_unique<edgeloop::GradientAllreduce>(
          group, configuration.module->parameters(), /*shared_values=*/0, configuration.bucket_bytes);
    }
  }
  const torch::Tensor images = torch::rand({kImagesPerStep, 1, 28, 28}).contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor labels = torch::randint(kClasses, {kImagesPerStep}, torch::kInt64);
  torch::Tensor barrier = torch::zeros({1});
  for (int round = 0; round < kTrainingWarmup + kTrainingRounds; ++round) {
    for (size_t offset = 0; offset < configurations.size(); ++offset) {
      StepConfiguration& configuration = configurations[(round + offset) % configurations.size()];
      // The ranks start each step together: a step alone ends on each rank at its own time, and
      // without this the next step would count the other rank's lag as its own cost.
      group.start_sum(barrier).wait();
      const double wait_before = configuration.gradients ? configuration.gradients->wait_seconds() : 0;
      const auto start = std::chrono::steady_clock::now();
      configuration.module->zero_grad();
      if (configuration.gradients) configuration.gradients->begin_step({});
      torch::nn::functional::cross_entropy(configuration.module->forward(images), labels).backward();
      if (configuration.gradients) configuration.gradients->finish_step();
      const double seconds = edgeloop::seconds_since(start);
      if (round < kTrainingWarmup) continue;
      configuration.step_seconds.push_back(seconds);
      configuration.wait_seconds.push_back(configuration.gradients ? configuration.gradients->wait_seconds() - wait_before : 0);
    }
  }
  const StepConfiguration& alone = configurations.front();
  std::vector<StepSummary> summaries;
  for (const StepConfiguration& configuration : configurations) {
    std::vector<double> costs;
    for (size_t round = 0; round < configuration.step_seconds.size(); ++round) {
      costs.push_back(configuration.step_seconds[round] - alone.step_seconds[round]);
    }
    StepSummary summary;
    summary.bucket_bytes = configuration.bucket_bytes;
    summary.buckets = configuration.gradients ? configuration.gradients->bucket_count() : 0;
    summary.step_ms = median(configuration.step_seconds) * 1e3;
    summary.wait_ms = median(configuration.wait_seconds) * 1e3;
    summary.cost_ms = median(costs) * 1e3;
    summaries.push_back(summary);
  }
  return summaries;
}

}  // namespace

int main(int argc, char** argv) {
  edgeloop::keep_freed_memory_for_reuse();   // as edgeloop does: steps measured without glibc's page faults
  try {
    std::vector<int64_t> gradient_sizes;
    std::vector<std::string> architectures;
    for (int index = 1; index + 1 < argc; ++index) {
      if (std::string(argv[index]) == "--gradient-bytes") gradient_sizes.push_back(std::atoll(argv[index + 1]));
      if (std::string(argv[index]) == "--arch") architectures.push_back(argv[index + 1]);
    }
    const edgeloop::LaunchEnvironment environment = edgeloop::read_launch_environment();
    // Each rank on its own core, as `edgeloop train --distributed` runs them (LOCAL_WORLD_SIZE=2).
    edgeloop::bind_to_local_rank_cpus(environment);
    torch::set_num_threads(1);
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
    std::vector<int64_t> sizes{0};
    for (int64_t bucket = kSmallestBucket; bucket <= kLargestBucket; bucket *= 2) sizes.push_back(bucket);
    sizes.push_back(kOneBucket);
    for (const std::string& arch : architectures) {
      for (const StepSummary& step : interleaved_training_steps(*group, arch, sizes)) {
        if (!environment.is_writer()) continue;
        std::printf("{\"arch\": \"%s\", \"bucket_bytes\": %lld, \"buckets\": %d, \"step_ms\": %.3f, \"wait_ms\": %.3f, "
                    "\"cost_ms\": %.3f, \"rounds\": %d}\n",
                    arch.c_str(), static_cast<long long>(step.bucket_bytes == kOneBucket ? -1 : step.bucket_bytes),
                    step.buckets, step.step_ms, step.wait_ms, step.cost_ms, kTrainingRounds);
        std::fflush(stdout);
      }
    }
    std::fflush(stdout);
    return 0;
  } catch (const edgeloop::Error& error) {
    std::fprintf(stderr, "edgeloop_allreduce_bench: %s\n", error.what());
    return error.exit_status();
  }
}
