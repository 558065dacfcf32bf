// Allreduce of one flat float tensor over the ranks of a job (torchrun variables), for sizes from
// 4 KiB to 16 MiB: the median time per sum, printed by rank 0 as one JSON object per line
// {"bytes": B, "median_ms": T, "gbit_per_s": G}. Also the time of the same sums issued as buckets
// of each size for a given gradient size (--gradient-bytes), the cost per training step.
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
#include "edgeloop/train/distributed/launch_environment.h"
#include "edgeloop/train/distributed/process_group.h"

namespace {

constexpr int kWarmup = 5;
constexpr int kRepeats = 40;
constexpr int64_t kSmallest = 4 * 1024;
constexpr int64_t kLargest = 16 * 1024 * 1024;
constexpr int kBitsPerByte = 8;

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

}  // namespace

int main(int argc, char** argv) {
  try {
    int64_t gradient_bytes = 0;
    for (int index = 1; index + 1 < argc; ++index) {
      if (std::string(argv[index]) == "--gradient-bytes") gradient_bytes = std::atoll(argv[index + 1]);
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
    if (gradient_bytes > 0) {
      for (int64_t bucket = 64 * 1024; bucket <= 4 * 1024 * 1024; bucket *= 4) {
        const double seconds = step_seconds(*group, gradient_bytes, bucket);
        if (environment.is_writer()) {
          std::printf("{\"gradient_bytes\": %lld, \"bucket_bytes\": %lld, \"step_ms\": %.4f}\n",
                      static_cast<long long>(gradient_bytes), static_cast<long long>(bucket), seconds * 1e3);
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
