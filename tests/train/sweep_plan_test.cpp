#include <gtest/gtest.h>

#include <cmath>

#include "edgeloop/train/sweep_plan.h"

namespace edgeloop {

namespace {
constexpr int64_t kStepsPerEpoch = 400;
// Calibrations of linear, mlp, cnn-s and cnn-m on an idle machine, seconds per step.
const std::vector<double> kIdle = {0.002, 0.004, 0.02, 0.06};
}  // namespace

TEST(SweepPlan, halves_the_candidates_and_doubles_the_rungs_until_one_is_left) {
  const SweepPlan plan = plan_successive_halving(kIdle, kStepsPerEpoch, /*budget_seconds=*/0, /*max_final_epochs=*/4);
  EXPECT_EQ(plan.rung_survivors, (std::vector<int>{4, 2, 1}));
  EXPECT_EQ(plan.rung_steps, (std::vector<int64_t>{400, 800, 1600}));
  EXPECT_DOUBLE_EQ(plan.final_epochs, 4);
}

TEST(SweepPlan, the_worst_case_of_the_plan_fits_the_budget) {
  const double budget = 300;
  const SweepPlan plan = plan_successive_halving(kIdle, kStepsPerEpoch, budget, 30);
  EXPECT_TRUE(plan.fits);
  EXPECT_LE(plan.estimated_seconds, budget);
  // Worst case: every rung trains the most expensive survivors.
  const double expected = plan.rung_steps[0] * (0.06 + 0.02 + 0.004 + 0.002) + plan.rung_steps[1] * (0.06 + 0.02) +
                          plan.rung_steps[2] * 0.06;
  EXPECT_NEAR(plan.estimated_seconds, expected, 1e-9);
  // The next ladder length would not have fitted.
  const SweepPlan longer = plan_successive_halving(kIdle, kStepsPerEpoch, 0, plan.final_epochs * std::sqrt(2.0));
  EXPECT_GT(longer.estimated_seconds, budget);
}

TEST(SweepPlan, small_differences_in_the_calibration_give_the_same_plan) {
  std::vector<double> noisy = kIdle;
  for (double& cost : noisy) cost *= 1.08;   // 8% slower: a neighbour's compile job
  const SweepPlan idle = plan_successive_halving(kIdle, kStepsPerEpoch, 300, 30);
  const SweepPlan busy = plan_successive_halving(noisy, kStepsPerEpoch, 300, 30);
  EXPECT_EQ(idle.rung_steps, busy.rung_steps);
}

TEST(SweepPlan, a_machine_twice_as_slow_gets_a_plan_one_or_two_ladder_lengths_shorter) {
  std::vector<double> hogged = kIdle;
  for (double& cost : hogged) cost *= 2;
  const SweepPlan idle = plan_successive_halving(kIdle, kStepsPerEpoch, 300, 30);
  const SweepPlan busy = plan_successive_halving(hogged, kStepsPerEpoch, 300, 30);
  EXPECT_LT(busy.final_epochs, idle.final_epochs);
  EXPECT_GE(busy.final_epochs, idle.final_epochs / 2 - 1e-9);
  EXPECT_EQ(busy.rung_survivors, idle.rung_survivors);
}

TEST(SweepPlan, the_final_rung_never_exceeds_the_epochs_asked_for) {
  const SweepPlan plan = plan_successive_halving(kIdle, kStepsPerEpoch, /*budget_seconds=*/1e9, /*max_final_epochs=*/3);
  EXPECT_DOUBLE_EQ(plan.final_epochs, 3);
  EXPECT_EQ(plan.rung_steps.back(), 1200);
}

TEST(SweepPlan, a_budget_too_small_for_any_plan_runs_the_shortest_and_says_so) {
  const SweepPlan plan = plan_successive_halving(kIdle, kStepsPerEpoch, /*budget_seconds=*/0.5, 30);
  EXPECT_FALSE(plan.fits);
  EXPECT_DOUBLE_EQ(plan.final_epochs, final_rung_epochs(-6));
  for (int64_t steps : plan.rung_steps) EXPECT_GE(steps, 1);
}

TEST(SweepPlan, leaves_out_the_most_expensive_candidate_when_every_final_rung_would_be_too_short) {
  // Measured in the demo with a one-core hog (linear, mlp, cnn-s, cnn-m; 422 steps per epoch):
  // with cnn-m in, the plan's final rung was a quarter of an epoch for everyone.
  const std::vector<double> hogged = {0.0192, 0.0592, 0.0734, 0.9297};
  const SweepPlan everyone = plan_successive_halving(hogged, 422, 256, 30);
  EXPECT_LT(everyone.final_epochs, 0.5);
  EXPECT_EQ(everyone.included, (std::vector<bool>{true, true, true, true}));
  const SweepPlan plan = plan_successive_halving(hogged, 422, 256, 30, /*useful_final_epochs=*/2);
  EXPECT_EQ(plan.included, (std::vector<bool>{true, true, true, false}));
  EXPECT_GE(plan.final_epochs, 2);
  EXPECT_LE(plan.estimated_seconds, 256);
  EXPECT_EQ(plan.rung_survivors, (std::vector<int>{3, 2, 1}));
  // A budget that fits everyone at a useful length leaves nobody out.
  const SweepPlan roomy = plan_successive_halving(hogged, 422, 20000, 30, 2);
  EXPECT_EQ(roomy.included, (std::vector<bool>{true, true, true, true}));
  // The cheapest candidate always stays, however small the budget.
  const SweepPlan tiny = plan_successive_halving(hogged, 422, 1, 30, 2);
  EXPECT_EQ(tiny.included, (std::vector<bool>{true, false, false, false}));
}

TEST(SweepPlan, one_candidate_gets_one_rung) {
  const SweepPlan plan = plan_successive_halving({0.01}, kStepsPerEpoch, 0, 2);
  EXPECT_EQ(plan.rung_steps, (std::vector<int64_t>{800}));
  EXPECT_EQ(plan.rung_survivors, (std::vector<int>{1}));
}

TEST(SweepPlan, the_thread_count_whose_calibration_costs_least_in_all_is_taken_and_ties_keep_the_first) {
  // All cores first, one fewer second: the figures of a 2-core machine with one core busy
  // (cnn-s, cnn-m ms per step at 2 threads, then at 1).
  EXPECT_EQ(cheapest_calibration({{0.061, 0.262}, {0.048, 0.150}}), 1u);
  EXPECT_EQ(cheapest_calibration({{0.030, 0.087}, {0.048, 0.150}}), 0u);   // idle: all cores
  EXPECT_EQ(cheapest_calibration({{0.050, 0.100}, {0.100, 0.050}}), 0u);
  EXPECT_EQ(cheapest_calibration({{0.050}}), 0u);
  EXPECT_EQ(cheapest_calibration({}), 0u);
}

}  // namespace edgeloop
