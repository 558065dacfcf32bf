// SweepPlan: how a sweep spends its budget with successive halving. Every network candidate gets a
// short first rung; after each rung the better half (by validation accuracy) goes on to a rung twice
// as long, trained from scratch, until one is left. The budget is counted in training steps: a
// calibration at the start times a few steps of each candidate on this machine, and the plan is the
// longest final rung, from a fixed ladder of lengths, whose worst case (the most expensive
// candidates surviving every rung) fits. Lengths come from a coarse ladder so that small
// differences in the calibration give the same plan. When the worst case of every candidate would
// leave the final rung too short to say what any of them can do, the most expensive candidates are
// left out, one at a time, until the final rung is long enough: a budget spent on ten steps of
// everything picks by luck. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgeloop {

struct SweepPlan {
  std::vector<int64_t> rung_steps;   // optimizer steps of each rung, shortest first; the last is the final rung
  std::vector<int> rung_survivors;   // candidates trained at each rung (the first: all of them)
  double final_epochs = 0;           // the final rung's length in epochs
  double estimated_seconds = 0;      // worst-case training time of the whole plan
  bool fits = true;                  // false: even the shortest ladder length overruns the budget
  std::vector<bool> included;        // per candidate, in the order given: false = left out for the budget
};

// `seconds_per_step`: one calibration per candidate, in any order. `budget_seconds` <= 0: no budget,
// the final rung is `max_final_epochs` long. The final rung never exceeds `max_final_epochs`.
// `useful_final_epochs`: the shortest final rung worth planning (capped at `max_final_epochs`);
// the most expensive candidates are left out until the plan reaches it or one candidate is left.
SweepPlan plan_successive_halving(const std::vector<double>& seconds_per_step, int64_t steps_per_epoch,
                                  double budget_seconds, double max_final_epochs, double useful_final_epochs = 0);

// Of several calibrations of the same candidates (one per thread count tried), the index of the one
// whose steps cost least in all; ties go to the earlier one. Empty or all-empty: 0.
size_t cheapest_calibration(const std::vector<std::vector<double>>& seconds_per_step);

// The final-rung lengths the plan chooses among, in epochs: 2^(k/2) for k = -6.., i.e. 0.125, 0.18,
// 0.25, 0.35, 0.5, 0.71, 1, 1.41, 2, 2.83, 4, ...
double final_rung_epochs(int level);

}  // namespace edgeloop
