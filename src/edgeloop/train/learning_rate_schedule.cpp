#include "edgeloop/train/learning_rate_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace edgeloop {

namespace {
constexpr double kOneCycleWarmupFraction = 0.3;    // share of the steps spent rising to the peak
constexpr double kOneCycleStartDivisor = 25.0;     // starts at peak / 25 (PyTorch's default)
constexpr double kOneCycleFinalDivisor = 1e4;      // ends at peak / 10^4

double cosine_between(double from, double to, double progress) {
  return to + (from - to) * 0.5 * (1.0 + std::cos(std::numbers::pi * std::clamp(progress, 0.0, 1.0)));
}
}  // namespace

double scheduled_learning_rate(const TrainOptions& options, int64_t step, int64_t total_steps, int64_t steps_per_epoch,
                               double budget_spent) {
  const double peak = options.learning_rate.value_or(0.0);
  const double step_progress = total_steps > 0 ? static_cast<double>(step) / static_cast<double>(total_steps) : 0.0;
  const double progress = std::max(step_progress, budget_spent);
  if (options.schedule == "cosine") return cosine_between(peak, 0.0, progress);
  if (options.schedule == "step") {
    const int64_t epoch = steps_per_epoch > 0 ? step / steps_per_epoch : 0;
    return peak * std::pow(options.step_factor, static_cast<double>(epoch / options.step_epochs));
  }
  if (options.schedule == "onecycle") {
    const double start = peak / kOneCycleStartDivisor;
    if (progress < kOneCycleWarmupFraction) {
      return cosine_between(start, peak, progress / kOneCycleWarmupFraction);
    }
    return cosine_between(peak, peak / kOneCycleFinalDivisor,
                          (progress - kOneCycleWarmupFraction) / (1.0 - kOneCycleWarmupFraction));
  }
  return peak;
}

}  // namespace edgeloop
