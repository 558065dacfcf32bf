#include <gtest/gtest.h>

#include <algorithm>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"
#include "edgeloop/train/sweep.h"
#include "support/temp_dir.h"
#include "train/tiny_dataset.h"

namespace edgeloop {

namespace {
SweepRow row(const std::string& arch, double accuracy, double latency, bool meets_target = false) {
  SweepRow result;
  result.arch = arch;
  result.model_id = "m-" + arch;
  result.val_accuracy = accuracy;
  result.latency_ms = latency;
  result.meets_target = meets_target;
  return result;
}
}  // namespace

TEST(Sweep, pareto_front_holds_rows_no_other_row_beats_on_both_accuracy_and_latency) {
  std::vector<SweepRow> rows = {row("a", 0.80, 0.1), row("b", 0.85, 0.5), row("c", 0.84, 0.9), row("d", 0.90, 2.0)};
  mark_pareto_and_pick(rows, /*max_latency_ms=*/1.0);
  EXPECT_TRUE(rows[0].pareto);
  EXPECT_TRUE(rows[1].pareto);
  EXPECT_FALSE(rows[2].pareto);   // b is more accurate and faster
  EXPECT_TRUE(rows[3].pareto);
  EXPECT_TRUE(rows[1].pick);      // no row met a target: the most accurate within 1 ms
}

TEST(Sweep, the_first_row_meeting_the_target_is_the_pick) {
  std::vector<SweepRow> rows = {row("a", 0.80, 0.1), row("b", 0.91, 0.5, true), row("c", 0.95, 0.9)};
  mark_pareto_and_pick(rows, 0);
  EXPECT_TRUE(rows[1].pick);
  EXPECT_FALSE(rows[2].pick);
}

TEST(Sweep, the_pick_is_a_network_even_when_a_classic_baseline_is_more_accurate) {
  // The pick is exported and deployed, which a classic model cannot be (the demo's sweep on a busy
  // machine once picked knn:hog at 87.7% and the quickstart then failed at export).
  std::vector<SweepRow> rows = {row("knn:hog", 0.877, 5.9), row("linear", 0.72, 0.01), row("mlp", 0.816, 0.02)};
  rows[0].kind = "classic";
  rows[1].kind = rows[2].kind = "torch";
  mark_pareto_and_pick(rows, 0);
  EXPECT_FALSE(rows[0].pick);
  EXPECT_TRUE(rows[2].pick);
  EXPECT_TRUE(rows[0].pareto);   // still on the front, as the bar the networks did not clear
  // With only baselines, the best baseline is the pick.
  std::vector<SweepRow> baselines = {row("knn:hog", 0.877, 5.9), row("svm:hog", 0.88, 1.0)};
  baselines[0].kind = baselines[1].kind = "classic";
  mark_pareto_and_pick(baselines, 0);
  EXPECT_TRUE(baselines[1].pick);
}

TEST(Sweep, orders_baselines_first_then_networks_by_cost) {
  const auto order = smallest_first({"cnn-l", "knn:hog", "linear", "cnn-s"}, InputShape{1, 28, 28}, 10);
  EXPECT_EQ(order, (std::vector<std::string>{"knn:hog", "linear", "cnn-s", "cnn-l"}));
}

TEST(Sweep, architecture_list_keeps_option_commas_with_their_architecture) {
  EXPECT_EQ(parse_architecture_list("knn:hog,linear,cnn-m:w=0.5,d=2,mlp,"),
            (std::vector<std::string>{"knn:hog", "linear", "cnn-m:w=0.5,d=2", "mlp"}));
}

TEST(Sweep, stops_at_the_first_architecture_that_meets_the_target) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  SweepOptions options;
  options.data = testing::make_tiny_dataset(workspace, "shapes");
  options.archs = {"cnn-s:w=0.5", "linear", "knn:raw"};
  options.target_accuracy = 0.5;   // the tiny shapes are easy: the first baseline meets it
  options.train.epochs = 2;
  options.train.batch = 16;
  options.train.threads = 1;
  options.latency_repeats = 3;
  const SweepResult result = run_sweep(workspace, options, {});
  ASSERT_EQ(result.rows.size(), 1u);
  EXPECT_EQ(result.rows[0].arch, "knn:raw");
  EXPECT_TRUE(result.rows[0].pick);
  EXPECT_EQ(result.skipped, (std::vector<std::string>{"linear", "cnn-s:w=0.5"}));
  EXPECT_NE(result.stop_reason.find("target met"), std::string::npos);
}

TEST(Sweep, successive_halving_keeps_every_candidate_in_the_table_with_the_rung_it_reached) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  SweepOptions options;
  options.data = testing::make_tiny_dataset(workspace, "shapes");
  options.archs = {"linear", "mlp:w=0.25", "cnn-s:w=0.5"};
  options.train.epochs = 2;   // the final rung; 90 training images in batches of 16: 6 steps an epoch
  options.train.batch = 16;
  options.train.threads = 1;
  options.latency_repeats = 3;
  std::vector<std::string> reported;
  options.on_rung = [&](const SweepRow& row) { reported.push_back(row.arch + "@" + std::to_string(row.rung)); };
  const SweepResult result = run_sweep(workspace, options, {});
  ASSERT_EQ(result.rows.size(), 3u);
  ASSERT_EQ(reported.size(), 3u + 2u + 1u);   // three candidates, the better two, the best one
  EXPECT_EQ(std::vector<std::string>(reported.begin(), reported.begin() + 3),
            (std::vector<std::string>{"linear@1", "mlp:w=0.25@1", "cnn-s:w=0.5@1"}));
  std::vector<int> rungs;
  for (const SweepRow& row : result.rows) {
    rungs.push_back(row.rung);
    EXPECT_EQ(row.rungs, 3);
    EXPECT_FALSE(row.model_id.empty());
    EXPECT_GT(row.bundle_bytes, 0) << row.arch;
    EXPECT_EQ(row.steps, row.rung == 3 ? 12 : row.rung == 2 ? 6 : 3) << row.arch;
    EXPECT_EQ(row.status.rfind(row.rung == 3 ? "final rung" : "stopped after rung", 0), 0u) << row.status;
  }
  std::sort(rungs.begin(), rungs.end());
  EXPECT_EQ(rungs, (std::vector<int>{1, 2, 3}));
  // The one that reached the final rung was the better of the two at rung 2.
  EXPECT_EQ(reported.back().substr(reported.back().size() - 2), "@3");
  EXPECT_NE(result.plan.find("3 rung(s) of 3, 6, 12 steps"), std::string::npos) << result.plan;
  // --threads 1 pins the count: no other is timed.
  EXPECT_EQ(result.training_threads, 1);
  EXPECT_NE(result.plan.find("training threads: 1"), std::string::npos) << result.plan;
  EXPECT_EQ(result.plan.find("steps on"), std::string::npos) << result.plan;
  // The stored result reads back as it was written (the quickstart reuses it).
  const SweepResult stored = SweepResult::from_json(result.to_json());
  ASSERT_EQ(stored.rows.size(), 3u);
  EXPECT_EQ(stored.rows[2].status, result.rows[2].status);
  EXPECT_EQ(stored.to_json(), result.to_json());
}

TEST(Sweep, a_busy_machine_plans_on_the_fastest_step_costs_this_machine_has_shown) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  SweepOptions options;
  options.data = testing::make_tiny_dataset(workspace, "shapes");
  options.archs = {"linear", "mlp:w=0.25"};
  options.train.batch = 16;   // 90 training images: 6 steps an epoch
  options.train.threads = 1;
  options.budget_minutes = 0.001;   // 60 ms: used up by the calibration at the speed measured now
  options.latency_repeats = 3;
  const auto final_steps = [](const SweepResult& result) {
    int64_t steps = 0;
    for (const SweepRow& row : result.rows) steps = std::max(steps, row.steps);
    return steps;
  };
  const SweepResult first = run_sweep(workspace, options, {});
  EXPECT_EQ(first.plan.find("busy"), std::string::npos) << first.plan;
  // The machine once ran every step, and the preamble before them, a million times faster than now:
  // the next sweep plans as it would have then (the longest final rung, 30 epochs), counts the
  // preamble's fastest time as spent, not this run's, and says the machine is busy.
  const auto file = workspace.cache_dir() / "step-costs.json";
  Json memory = Json::parse(read_file(file));
  double fastest_preamble = 0;
  for (auto& [name, seconds] : memory["seconds_per_step"].items()) {
    seconds = seconds.get<double>() / 1e6;
    if (name.find("sweep preamble") != std::string::npos) fastest_preamble = seconds.get<double>();
  }
  ASSERT_GT(fastest_preamble, 0) << memory.dump();
  write_file_atomically(file, memory.dump());
  const SweepResult busy = run_sweep(workspace, options, {});
  EXPECT_NE(busy.plan.find("the machine is busy"), std::string::npos) << busy.plan;
  EXPECT_EQ(final_steps(busy), 30 * 6) << busy.plan;
  EXPECT_DOUBLE_EQ(busy.planned_preamble_seconds, fastest_preamble);
  EXPECT_GT(first.planned_preamble_seconds, fastest_preamble);
  EXPECT_LT(final_steps(first), final_steps(busy)) << first.plan;
}

TEST(Sweep, a_stored_sweep_from_an_older_edgeloop_is_a_clear_error) {
  EXPECT_THROW(SweepResult::from_json(Json{{"sweep", "s-1"}, {"rows", Json::array({{{"arch", "linear"}}})}}), Error);
}

}  // namespace edgeloop
