#include "edgeloop/train/distributed/rank_balance.h"

#include <algorithm>
#include <cmath>

#include "edgeloop/core/error.h"

namespace edgeloop {

RankBalance::RankBalance(int world_size)
    : weights_(static_cast<size_t>(world_size), kEvenWeight),
      seconds_sum_(static_cast<size_t>(world_size), 0.0),
      timed_steps_(static_cast<size_t>(world_size), 0) {}

std::optional<std::vector<int64_t>> RankBalance::add_step(const std::vector<float>& seconds_per_image) {
  if (seconds_per_image.size() != weights_.size()) throw internal_error("RankBalance: one figure per rank");
  for (size_t rank = 0; rank < weights_.size(); ++rank) {
    if (seconds_per_image[rank] <= 0) continue;
    seconds_sum_[rank] += seconds_per_image[rank];
    ++timed_steps_[rank];
  }
  if (++steps_ < kWindowSteps) return std::nullopt;
  std::vector<double> mean_seconds(weights_.size());
  bool every_rank_timed = true;
  for (size_t rank = 0; rank < weights_.size(); ++rank) {
    every_rank_timed = every_rank_timed && timed_steps_[rank] > 0;
    if (timed_steps_[rank] > 0) mean_seconds[rank] = seconds_sum_[rank] / timed_steps_[rank];
  }
  std::fill(seconds_sum_.begin(), seconds_sum_.end(), 0.0);
  std::fill(timed_steps_.begin(), timed_steps_.end(), 0);
  steps_ = 0;
  if (!every_rank_timed) return std::nullopt;
  if (smoothed_seconds_.empty()) smoothed_seconds_ = mean_seconds;
  for (size_t rank = 0; rank < weights_.size(); ++rank) {
    smoothed_seconds_[rank] += (mean_seconds[rank] - smoothed_seconds_[rank]) * kSmoothing;
  }
  std::vector<int64_t> proposed = weights_for_speeds(smoothed_seconds_);
  bool moved = false;
  for (size_t rank = 0; rank < weights_.size(); ++rank) {
    const double change = std::abs(static_cast<double>(proposed[rank] - weights_[rank])) / weights_[rank];
    moved = moved || change > kSmallestChange;
  }
  if (!moved) return std::nullopt;
  weights_ = std::move(proposed);
  return weights_;
}

std::vector<int64_t> weights_for_speeds(const std::vector<double>& seconds_per_image) {
  const double ranks = static_cast<double>(seconds_per_image.size());
  double total_speed = 0;
  for (double seconds : seconds_per_image) total_speed += 1.0 / seconds;
  const auto smallest = static_cast<int64_t>(std::ceil(RankBalance::kSmallestShareOfEven * RankBalance::kEvenWeight));
  std::vector<int64_t> weights;
  for (double seconds : seconds_per_image) {
    const double share_of_even = (1.0 / seconds) / total_speed * ranks;
    weights.push_back(std::max<int64_t>(smallest, std::llround(share_of_even * RankBalance::kEvenWeight)));
  }
  return weights;
}

}  // namespace edgeloop
