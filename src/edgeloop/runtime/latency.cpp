#include "edgeloop/runtime/latency.h"

#include <algorithm>
#include <chrono>
#include <numeric>

namespace edgeloop {
namespace {
constexpr int kMinimumTimedRuns = 10;
constexpr double kMillisecondsPerSecond = 1000.0;
}  // namespace

LatencyStats summarize_latency(std::vector<double> milliseconds, int images_per_run) {
  LatencyStats stats;
  if (milliseconds.empty()) return stats;
  std::sort(milliseconds.begin(), milliseconds.end());
  auto rank = [&](double fraction) {
    size_t index = size_t(fraction * double(milliseconds.size()));
    return milliseconds[std::min(index, milliseconds.size() - 1)];
  };
  stats.runs = int(milliseconds.size());
  stats.p50_ms = rank(0.50);
  stats.p90_ms = rank(0.90);
  stats.p99_ms = rank(0.99);
  double total = std::accumulate(milliseconds.begin(), milliseconds.end(), 0.0);
  stats.mean_ms = total / double(milliseconds.size());
  stats.images_per_second = total > 0 ? double(images_per_run) * double(milliseconds.size()) * kMillisecondsPerSecond / total : 0;
  return stats;
}

LatencyStats measure_latency(const std::function<void()>& run, int images_per_run, const LatencyOptions& options) {
  for (int index = 0; index < options.warmup; ++index) run();
  std::vector<double> milliseconds;
  milliseconds.reserve(size_t(options.iterations));
  auto started = std::chrono::steady_clock::now();
  for (int index = 0; index < options.iterations; ++index) {
    auto begin = std::chrono::steady_clock::now();
    run();
    auto end = std::chrono::steady_clock::now();
    milliseconds.push_back(std::chrono::duration<double, std::milli>(end - begin).count());
    double elapsed = std::chrono::duration<double>(end - started).count();
    if (elapsed > options.max_seconds && index + 1 >= kMinimumTimedRuns) break;
  }
  return summarize_latency(std::move(milliseconds), images_per_run);
}

}  // namespace edgeloop
