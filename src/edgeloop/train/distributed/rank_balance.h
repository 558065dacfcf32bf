// RankBalance: how much of every global batch each rank takes, following the ranks' measured
// speed (`train --distributed --balance-ranks`), so that a rank on a slower or busier machine does
// not hold every other rank up at each gradient sum. The global batch, and so the averaged
// gradient, stays what one process would compute; only who computes which images changes. Every
// rank feeds it the same numbers (the ranks' seconds per image, shared with the gradients), so
// every rank reaches the same weights at the same step. LibTorch-free; one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace edgeloop {

class RankBalance {
 public:
  // A rank's weight when every rank is as fast as the others; shares are weight / total.
  static constexpr int64_t kEvenWeight = 1000;
  // Steps whose speeds are averaged before the weights are reconsidered: long enough that one
  // stalled step does not move the shares, short enough to follow a machine whose speed changes
  // within seconds (a shared VM's did).
  static constexpr int kWindowSteps = 8;
  // No rank's share falls below this fraction of the even share, whatever one window measured.
  static constexpr double kSmallestShareOfEven = 0.25;
  // Weights move only when some rank's share would change by more than this fraction of itself.
  static constexpr double kSmallestChange = 0.03;
  // Each window moves the speeds the weights follow this far towards the window's: a machine that
  // stays slower is followed within a few windows, while swings that reverse within a window or
  // two (a shared VM's neighbours) move the shares half as far. The first window counts whole.
  static constexpr double kSmoothing = 0.5;

  explicit RankBalance(int world_size);

  // One step's seconds per image of each rank's own work (loading, forward, backward, its optimizer
  // step: all but waiting for the others); 0 for a rank that had no images or no timing yet. Returns
  // the new weights when a window ends and they moved, and keeps them as weights().
  std::optional<std::vector<int64_t>> add_step(const std::vector<float>& seconds_per_image);
  const std::vector<int64_t>& weights() const { return weights_; }

 private:
  std::vector<int64_t> weights_;
  std::vector<double> smoothed_seconds_;   // per rank, seconds per image; empty before the first window
  std::vector<double> seconds_sum_;
  std::vector<int> timed_steps_;
  int steps_ = 0;
};

// Weights proportional to each rank's images per second (its seconds per image inverted), at
// kEvenWeight for an average rank, none below kSmallestShareOfEven of the even share.
std::vector<int64_t> weights_for_speeds(const std::vector<double>& seconds_per_image);

}  // namespace edgeloop
