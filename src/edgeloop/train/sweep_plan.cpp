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

namespace {

// The plan for candidates with these costs (most expensive first), without leaving any out.
SweepPlan plan_for_all(const std::vector<double>& costs, int64_t steps_per_epoch, double budget_seconds,
                       double max_final_epochs) {
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

}  // namespace

SweepPlan plan_successive_halving(const std::vector<double>& seconds_per_step, int64_t steps_per_epoch,
                                  double budget_seconds, double max_final_epochs, double useful_final_epochs) {
  if (seconds_per_step.empty()) return SweepPlan{};
  // Candidate indices, most expensive first: the order in which they are left out.
  std::vector<size_t> order(seconds_per_step.size());
  for (size_t index = 0; index < order.size(); ++index) order[index] = index;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return seconds_per_step[a] > seconds_per_step[b]; });
  std::vector<double> costs;
  for (size_t index : order) costs.push_back(seconds_per_step[index]);
  const double useful = std::min(useful_final_epochs, max_final_epochs);
  size_t left_out = 0;
  SweepPlan plan = plan_for_all(costs, steps_per_epoch, budget_seconds, max_final_epochs);
  while (budget_seconds > 0 && plan.final_epochs < useful && costs.size() - left_out > 1) {
    ++left_out;
    plan = plan_for_all(std::vector<double>(costs.begin() + static_cast<std::ptrdiff_t>(left_out), costs.end()),
                        steps_per_epoch, budget_seconds, max_final_epochs);
  }
  plan.included.assign(seconds_per_step.size(), true);
  for (size_t position = 0; position < left_out; ++position) plan.included[order[position]] = false;
  return plan;
}

size_t cheapest_calibration(const std::vector<std::vector<double>>& seconds_per_step) {
  size_t cheapest = 0;
  double least = 0;
  for (size_t index = 0; index < seconds_per_step.size(); ++index) {
    double total = 0;
    for (double seconds : seconds_per_step[index]) total += seconds;
    if (index == 0 || total < least) {
      cheapest = index;
      least = total;
    }
  }
  return cheapest;
}

}  // namespace edgeloop
