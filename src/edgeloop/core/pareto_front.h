// pareto_front: which points of an accuracy-vs-latency trade-off no other point beats, the one
// rule the sweep (train/sweep.h) and the benchmark (runtime/benchmark.h) mark their rows by.
// A stateless function; thread-safe.
#pragma once

#include <vector>

namespace edgeloop {

struct TradeOffPoint {
  double accuracy = 0.0;     // 0..1, higher is better
  double latency_ms = 0.0;   // milliseconds, lower is better
  bool eligible = true;      // false: neither on the front nor dominating (no accuracy, a failed row)
};

// One flag per point: eligible, and no other eligible point is at least as accurate and at least
// as fast while strictly better in one of the two.
std::vector<bool> pareto_front(const std::vector<TradeOffPoint>& points);

}  // namespace edgeloop
