#include "edgeloop/core/pareto_front.h"

#include <cstddef>

namespace edgeloop {

std::vector<bool> pareto_front(const std::vector<TradeOffPoint>& points) {
  std::vector<bool> on_front(points.size(), false);
  for (std::size_t index = 0; index < points.size(); ++index) {
    const TradeOffPoint& point = points[index];
    if (!point.eligible) continue;
    bool dominated = false;
    for (std::size_t other_index = 0; other_index < points.size() && !dominated; ++other_index) {
      const TradeOffPoint& other = points[other_index];
      if (other_index == index || !other.eligible) continue;
      const bool as_good = other.accuracy >= point.accuracy && other.latency_ms <= point.latency_ms;
      const bool better = other.accuracy > point.accuracy || other.latency_ms < point.latency_ms;
      dominated = as_good && better;
    }
    on_front[index] = !dominated;
  }
  return on_front;
}

}  // namespace edgeloop
