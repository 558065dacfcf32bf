#include "edgeloop/train/sweep_plan.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace edgeloop {

namespace {

constexpr int kLowestLevel = -6;        // final rung of 1/8 epoch: the shortest plan
constexpr int kHighestLevel = 12;       // 64 epochs
constexpr double kHalving = 2.0;        // survivors are halved and rungs doubled
constexpr int64_t kMinimumRungSteps = 1;

SweepPlan plan_at(const std::vector<double>& sorted_costs, int64_t steps_per_epoch, double final_epochs) {
  SweepPlan plan;
  plan.final_epochs = final_epochs;
  const int candidates = static_cast<int>(sorted_costs.size());
  int rungs = 1;
  for (int alive = candidates; alive > 1; alive = (alive + 1) / 2) ++rungs;
  const double final_steps = final_epochs * static_cast<double>(steps_per_epoch);
  int alive = candidates;
  for (int rung = 0; rung < rungs; ++rung) {
    const double steps = final_steps / std::pow(kHalving, rungs - 1 - rung);
    plan.rung_steps.push_back(std::max<int64_t>(kMinimumRungSteps, std::llround(steps)));
    plan.rung_survivors.push_back(alive);
    // Worst case: the `alive` most expensive candidates are the ones still training.
    for (int index = 0; index < alive; ++index) plan.estimated_seconds += sorted_costs[index] * plan.rung_steps.back();
    alive = (alive + 1) / 2;
  }
  return plan;
}

}  // namespace

double final_rung_epochs(int level) { return std::pow(2.0, level / 2.0); }

SweepPlan plan_successive_halving(const std::vector<double>& seconds_per_step, int64_t steps_per_epoch,
                                  double budget_seconds, double max_final_epochs) {
  std::vector<double> costs = seconds_per_step;
  std::sort(costs.begin(), costs.end(), std::greater<>());
  if (costs.empty()) return SweepPlan{};
  if (budget_seconds <= 0) return plan_at(costs, steps_per_epoch, max_final_epochs);
  SweepPlan chosen = plan_at(costs, steps_per_epoch, std::min(max_final_epochs, final_rung_epochs(kLowestLevel)));
  chosen.fits = chosen.estimated_seconds <= budget_seconds;
  for (int level = kLowestLevel + 1; level <= kHighestLevel; ++level) {
    const double epochs = final_rung_epochs(level);
    if (epochs > max_final_epochs) {   // the user's --epochs caps the plan between two ladder lengths
      const SweepPlan capped = plan_at(costs, steps_per_epoch, max_final_epochs);
      if (capped.estimated_seconds <= budget_seconds) chosen = capped;
      break;
    }
    const SweepPlan plan = plan_at(costs, steps_per_epoch, epochs);
    if (plan.estimated_seconds > budget_seconds) break;
    chosen = plan;
  }
  return chosen;
}

}  // namespace edgeloop
