// Pins the HTML reports: each kind renders in headless Chromium with no console message and every
// chart laid out (a screenshot of each is saved under the build folder), text is escaped, and the
// edge log reader turns JSONL into the drift and camera events a reader needs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/report/html_report.h"
#include "edgeloop/report/report_pages.h"
#include "edgeloop/report/svg_chart.h"
#include "report/chromium_page.h"
#include "report/html_reading.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

namespace fs = std::filesystem;
using testing::open_in_chromium;
using testing::TempDir;

const fs::path kScreenshots = fs::path(EDGELOOP_BINARY_DIR) / "tests/report/screenshots";
const std::vector<std::string> kClasses = {"T-shirt", "Trouser", "Pullover", "Dress", "Coat"};

ClassBalance tiny_balance() {
  ClassBalance balance;
  balance.dataset_version = "fmnist@2";
  balance.classes = kClasses;
  balance.counts["train"] = {480, 470, 200, 490, 500};
  balance.counts["val"] = {60, 59, 25, 61, 62};
  return balance;
}

RunSummary overfitting_run() {
  RunSummary run;
  run.run_id = "r-0123456789ab";
  run.arch = "cnn-m:w=0.5";
  run.dataset_version = "fmnist@2";
  run.status = "finished";
  run.code_commit = "24e7bbe";
  run.seed = 7;
  for (int epoch = 1; epoch <= 12; ++epoch) {
    const double train_loss = 1.2 * std::exp(-0.3 * epoch);
    const double val_loss = 0.6 + 0.02 * (epoch - 6) * (epoch - 6) / 3.0;
    run.epochs.push_back({epoch, train_loss, 1 - train_loss / 2, val_loss, 0.86 - 0.002 * epoch, 0.01});
  }
  run.diagnosis = Json{{"verdict", "overfitting"},
                       {"reasons", {"validation loss rose for 6 epochs while training loss fell"}},
                       {"advice", {"more augmentation", "early stopping at epoch 6"}}};
  return run;
}

EdgeLogData edge_log() {
  std::string jsonl = R"({"topic":"status","event":"started","source":"sim:fmnist"})" "\n";
  for (int frame = 0; frame < 120; ++frame) {
    const bool drifted = frame >= 40;
    const bool dark = frame >= 90;
    jsonl += R"({"ts":1,"frame":)" + std::to_string(frame) + R"(,"label":"Coat","class":4,"score":)" +
             std::to_string(drifted ? 0.55 : 0.93) + R"(,"latency_ms":{"total":1.5}})" "\n";
    jsonl += R"({"topic":"health","state":")" + std::string(dark ? "failed" : "ok") + R"(","reasons":)" +
             (dark ? R"(["black"])" : "[]") + R"(,"brightness":)" + std::to_string(dark ? 3.0 : 110.0) +
             R"(,"sharpness":900,"fps":30})" "\n";
    if (frame == 50) jsonl += R"({"topic":"drift","frame":50,"drift":true,"moved":["brightness","confidence"]})" "\n";
    if (frame % 20 == 0) jsonl += R"({"topic":"captures","frame":)" + std::to_string(frame) + "}\n";
  }
  jsonl += "not json at all\n";
  return edge_log_from_jsonl(jsonl, "edge-run.jsonl");
}

void expect_renders_cleanly(const std::string& html, const std::string& name) {
  TempDir temp;
  write_file_atomically(temp / (name + ".html"), html);
  const auto page = open_in_chromium(temp / (name + ".html"), kScreenshots / (name + ".png"));
  EXPECT_EQ(page.exit_status, 0);
  EXPECT_TRUE(page.rendered_ok()) << "the page script did not mark " << name << " rendered:\n" << page.dom.substr(0, 400);
  for (const std::string& message : page.console) ADD_FAILURE() << name << " console: " << message;
  EXPECT_TRUE(fs::exists(kScreenshots / (name + ".png")));
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));   // no URL but the SVG namespace
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(ReportPages, run_report_renders_in_chromium_with_curves_diagnosis_and_balance) {
  RunReportData data{overfitting_run(), tiny_balance()};
  const std::string html = render_run_report(data);
  EXPECT_NE(html.find("Diagnosis: overfitting."), std::string::npos);
  EXPECT_NE(html.find("Imbalanced train:"), std::string::npos);   // Pullover has 200 vs 500
  expect_renders_cleanly(html, "run");
}

TEST(ReportPages, model_report_renders_confusion_test_uses_and_bench_table) {
  ModelReportData data;
  data.model = {"m-0123456789ab", "torch", "cnn-m:w=0.5", 52000, 3.1, 0.87};
  data.run = overfitting_run();
  EvaluationSummary test;
  test.split = "test:official";
  test.accuracy = 0.85;
  test.earlier_models = 2;
  test.labels = kClasses;
  for (size_t row = 0; row < kClasses.size(); ++row) {
    test.confusion.emplace_back(kClasses.size(), 3.0);
    test.confusion[row][row] = 90;
  }
  data.evaluations.push_back(test);
  data.bench = Json{{"cores", 2}, {"load_average", 1.5},
                    {"rows", {{{"engine", "xnnpack"}, {"threads", 1}, {"latency_ms", {{"p50", 0.05}, {"p99", 0.09}}},
                               {"images_per_second", 19000}, {"file_bytes", 210000}, {"accuracy", 0.87}, {"pareto", true}},
                              {{"engine", "opencv-int8"}, {"threads", 1}, {"error", "unsupported op"}}}}};
  const std::string html = render_model_report(data);
  EXPECT_NE(html.find("reused: 2 earlier models"), std::string::npos);
  EXPECT_NE(html.find("xnnpack"), std::string::npos);
  EXPECT_NE(html.find("true Coat, predicted Coat: 90"), std::string::npos);
  expect_renders_cleanly(html, "model");
}

TEST(ReportPages, sweep_report_renders_the_pareto_plot_with_the_pick_ringed) {
  const Json sweep = {{"id", "s-0123456789ab"},
                      {"result",
                       {{"rows",
                         {{{"arch", "linear"}, {"val_accuracy", 0.80}, {"latency_ms", 0.01}, {"file_bytes", 31000}, {"pareto", true}},
                          {{"arch", "mlp"}, {"val_accuracy", 0.85}, {"latency_ms", 0.03}, {"file_bytes", 400000}, {"pareto", true}},
                          {{"arch", "cnn-s"}, {"val_accuracy", 0.88}, {"latency_ms", 0.06}, {"file_bytes", 90000}, {"pareto", true}},
                          {{"arch", "cnn-l"}, {"val_accuracy", 0.87}, {"latency_ms", 0.50}, {"file_bytes", 2000000}}}},
                        {"pick", {{"arch", "cnn-s"}, {"reason", "most accurate under the 1 ms budget"}}}}}};
  const SweepReportData data = sweep_report_from_json(sweep);
  ASSERT_EQ(data.points.size(), 4u);
  EXPECT_TRUE(data.points[2].picked);
  EXPECT_FALSE(data.points[3].on_front);
  EXPECT_NEAR(data.points[1].size_kb, 400000 / 1024.0, 1e-9);
  const std::string html = render_sweep_report(data);
  EXPECT_NE(html.find("most accurate under the 1 ms budget"), std::string::npos);
  expect_renders_cleanly(html, "sweep");
}

TEST(ReportPages, the_pick_of_a_stored_sweep_is_marked) {
  // The shape SweepResult::to_json stores: the pick as a model id, its row flagged "pick".
  const Json sweep = {{"id", "s-0123456789ab"},
                      {"result",
                       {{"rows",
                         {{{"arch", "linear"}, {"model", "m-000000000001"}, {"val_accuracy", 0.80}, {"latency_ms", 0.01},
                           {"pareto", true}, {"pick", false}},
                          {{"arch", "cnn-s"}, {"model", "m-000000000002"}, {"val_accuracy", 0.88}, {"latency_ms", 0.06},
                           {"pareto", true}, {"pick", true}}}},
                        {"pick", "m-000000000002"}}}};
  const SweepReportData data = sweep_report_from_json(sweep);
  ASSERT_EQ(data.points.size(), 2u);
  EXPECT_FALSE(data.points[0].picked);
  EXPECT_TRUE(data.points[1].picked);
}

TEST(ReportPages, edge_log_report_shows_drift_and_camera_timelines) {
  const EdgeLogData log = edge_log();
  EXPECT_EQ(log.frames.size(), 120u);
  EXPECT_EQ(log.captures, 6);
  std::vector<std::string> kinds;
  for (const auto& event : log.events) kinds.push_back(event.kind + "@" + std::to_string(static_cast<int>(event.frame)));
  EXPECT_EQ(kinds, (std::vector<std::string>{"status@0", "drift@50", "camera@90"}));
  EXPECT_EQ(log.events[2].detail, "failed (black)");
  expect_renders_cleanly(render_edge_report(log), "edge");
}

TEST(ReportPages, text_is_escaped_so_a_label_cannot_inject_markup) {
  ClassBalance balance = tiny_balance();
  balance.classes[0] = "<script>alert(1)</script>";
  RunReportData data{overfitting_run(), balance};
  const std::string html = render_run_report(data);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST(ReportPages, chromium_check_catches_a_page_with_a_script_error) {
  // The check above is only worth something if it can fail: a page whose script throws.
  TempDir temp;
  HtmlReport page("broken", "a script error");
  page.add_svg("<svg class=\"chart\" width=\"10\" height=\"10\"><rect width=\"5\" height=\"5\"/></svg><script>missing();</script>");
  write_file_atomically(temp / "broken.html", page.render());
  const auto rendered = open_in_chromium(temp / "broken.html", {});
  EXPECT_FALSE(rendered.console.empty());
}

TEST(ReportPages, edge_log_without_json_is_a_clear_error) {
  EXPECT_THROW(edge_log_from_jsonl("garbage\nmore garbage\n", "x.jsonl"), Error);
}

}  // namespace
}  // namespace edgeloop

namespace edgeloop {
namespace {

// A sweep as SweepResult::to_json stores it after successive halving: sizes in bytes, the rung each
// candidate reached, the pick flagged.
Json halving_sweep() {
  const auto row = [](const std::string& arch, double accuracy, double latency, int64_t bytes, int rung,
                      const std::string& status, bool pareto, bool pick) {
    return Json{{"arch", arch},       {"model", "m-" + arch}, {"kind", rung == 0 ? "classic" : "torch"},
                {"val_accuracy", accuracy}, {"latency_ms", latency}, {"bundle_bytes", bytes},
                {"rung", rung},       {"rungs", rung == 0 ? 0 : 3}, {"status", status},
                {"pareto", pareto},   {"pick", pick}};
  };
  return Json{{"id", "s-0123456789ab"},
              {"result",
               {{"rows",
                 {row("knn:hog", 0.853, 0.21, 1843200, 0, "baseline", false, false),
                  row("linear", 0.842, 0.004, 31400, 1, "stopped after rung 1 of 3 (not in the better half)", true, false),
                  row("mlp", 0.871, 0.02, 410000, 2, "stopped after rung 2 of 3 (not in the better half)", true, false),
                  row("cnn-m", 0.918, 0.19, 905000, 3, "final rung", true, true)}},
                {"pick", "m-cnn-m"}}}};
}

}  // namespace

TEST(ReportNumbers, every_figure_of_the_sweep_table_reads_back_as_stored_and_no_size_is_empty) {
  const SweepReportData data = sweep_report_from_json(halving_sweep());
  const std::string html = render_sweep_report(data);
  const auto rows = testing::html_table_rows(html, 0);
  const std::vector<std::vector<std::string>> expected = {
      {"knn:hog", "-", "85.3%", "0.210", "1800.0", "", "", "baseline"},
      {"linear", "1 of 3", "84.2%", "0.004", "30.7", "yes", "", "stopped after rung 1 of 3 (not in the better half)"},
      {"mlp", "2 of 3", "87.1%", "0.020", "400.4", "yes", "", "stopped after rung 2 of 3 (not in the better half)"},
      {"cnn-m", "3 of 3", "91.8%", "0.190", "883.8", "yes", "picked", "final rung"}};
  EXPECT_EQ(rows, expected);
}

TEST(ReportNumbers, sweep_markers_are_sized_by_the_bundle_size) {
  const std::string html = render_sweep_report(sweep_report_from_json(halving_sweep()));
  const auto radii = testing::scatter_marker_radii(html);
  ASSERT_EQ(radii.size(), 4u) << html.substr(0, 200);
  // Area scales with the size: the largest file (knn:hog) has the largest marker, linear the smallest.
  EXPECT_GT(radii.at("knn:hog"), radii.at("cnn-m"));
  EXPECT_GT(radii.at("cnn-m"), radii.at("mlp"));
  EXPECT_GT(radii.at("mlp"), radii.at("linear"));
  EXPECT_NEAR(radii.at("cnn-m") / radii.at("knn:hog"), std::sqrt(905000.0 / 1843200.0), 1e-3);
}

// Two runs appended to one log, with sampled health lines between the state changes.
std::string two_run_log() {
  std::string jsonl;
  for (int run = 0; run < 2; ++run) {
    jsonl += R"({"topic":"status","event":"started","source":"sim:fmnist"})" "\n";
    for (int frame = 0; frame < 60; ++frame) {
      const bool dark = run == 1 && frame >= 40;
      jsonl += R"({"frame":)" + std::to_string(frame) + R"(,"label":"Coat","score":0.9,"latency_ms":{"total":1.5}})" "\n";
      if (frame % 10 == 0 || frame == 40) {
        jsonl += R"({"topic":"health","frame":)" + std::to_string(frame) + R"(,"state":")" + (dark ? "failed" : "ok") +
                 R"(","reasons":)" + (dark ? R"(["black"])" : "[]") + R"(,"brightness":)" +
                 std::to_string(dark ? 2.0 : 100.0 + frame) + R"(,"sharpness":800)" +
                 (frame % 10 == 0 && frame != 40 ? R"(,"sampled":true})" : "}") + "\n";
      }
      if (run == 0 && frame == 30) jsonl += R"({"topic":"drift","frame":30,"drift":true,"moved":["brightness"]})" "\n";
      if (frame == 5) jsonl += R"({"topic":"captures","frame":5})" "\n";
    }
    jsonl += R"({"topic":"status","event":"stopped","summary":{"frames":60}})" "\n";
  }
  return jsonl;
}

TEST(ReportNumbers, two_runs_of_one_log_are_two_segments_with_a_marker_between) {
  const EdgeLogData log = edge_log_from_jsonl(two_run_log(), "edge-run.jsonl");
  EXPECT_EQ(log.runs, 2);
  EXPECT_EQ(log.predictions, 120);
  // The second run continues the axis after the first and starts with a break in every series.
  ASSERT_EQ(log.frames.size(), 121u);
  EXPECT_TRUE(std::isnan(log.confidence[60]));
  EXPECT_DOUBLE_EQ(log.frames[61], 60.0);
  size_t health_breaks = 0;
  for (double value : log.brightness) health_breaks += std::isnan(value) ? 1 : 0;
  EXPECT_EQ(health_breaks, 1u);
  // Health is charted from every sampled line, not only the two state changes.
  EXPECT_EQ(log.health_frames.size(), 2u * 6 + 1);   // 6 lines per run (samples and the change at 40), the break
  bool marker = false;
  for (const auto& event : log.events) marker |= event.kind == "run" && event.frame == 60 && event.detail == "run 2 started";
  EXPECT_TRUE(marker);
  const std::string html = render_edge_report(log);
  // The line chart draws two segments: its path moves ("M") once per run.
  const size_t path = html.find("<path fill=\"none\" stroke=\"" + palette_color(1));
  ASSERT_NE(path, std::string::npos);
  const std::string d = html.substr(path, html.find("\">", path) - path);
  EXPECT_EQ(std::count(d.begin(), d.end(), 'M'), 2);
  expect_renders_cleanly(html, "edge-two-runs");
}

TEST(ReportNumbers, every_figure_of_the_edge_page_reads_back_as_counted_from_the_log) {
  const EdgeLogData log = edge_log_from_jsonl(two_run_log(), "edge-run.jsonl");
  const std::string html = render_edge_report(log);
  const auto facts = testing::html_key_values(html);
  EXPECT_EQ(facts.at("runs in this log"), "2");
  EXPECT_EQ(facts.at("predictions"), "120");
  EXPECT_EQ(facts.at("drift events"), "1");
  EXPECT_EQ(facts.at("camera state changes"), "1");
  EXPECT_EQ(facts.at("frames captured"), "2");
  const auto events = testing::html_table_rows(html, 0);
  const std::vector<std::vector<std::string>> expected = {{"0", "status", "started"},
                                                          {"30", "drift", "brightness"},
                                                          {"59", "status", "stopped"},
                                                          {"60", "run", "run 2 started"},
                                                          {"60", "status", "started"},
                                                          {"100", "camera", "failed (black)"},
                                                          {"119", "status", "stopped"}};
  EXPECT_EQ(events, expected);
}

}  // namespace edgeloop
