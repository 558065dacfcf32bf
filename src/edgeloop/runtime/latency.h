// Latency measurement of an Engine: warm-up runs, then timed runs of one batch, summarised as
// percentiles and throughput. Used by the benchmark (runtime/benchmark.h) and bench/runtime.
// Stateless functions; the engine is used from the calling thread only.
#pragma once

#include <functional>
#include <vector>

#include "edgeloop/runtime/engine.h"

namespace edgeloop {

struct LatencyOptions {
  int warmup = 20;              // untimed runs first (caches, lazy allocation, thread pool start)
  int iterations = 200;         // timed runs
  double max_seconds = 10.0;    // stop timing early after this long (slow engines), keeping >= 10 runs
};

struct LatencyStats {
  int runs = 0;
  double p50_ms = 0.0;          // milliseconds per batch
  double p90_ms = 0.0;
  double p99_ms = 0.0;
  double mean_ms = 0.0;
  double images_per_second = 0.0;
};

// Percentiles of per-run times (milliseconds), nearest-rank.
LatencyStats summarize_latency(std::vector<double> milliseconds, int images_per_run);

// Times `run` (one inference of `images_per_run` images, preprocessing included if it does it).
LatencyStats measure_latency(const std::function<void()>& run, int images_per_run, const LatencyOptions& options);

}  // namespace edgeloop
