// Pins the loop report: the numbers a reader sees (captures by reason, labels by provenance, the
// gate's table with McNemar's p, accuracy before and after the swap) are read back from the HTML
// and match the data; the page renders in headless Chromium with the swap on the timeline. Also
// pins the stream accuracy the report shows: both models on the same drifted images, labelled
// images left out.
#include <gtest/gtest.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/report/loop_report.h"
#include "edgeloop/report/stream_accuracy.h"
#include "report/chromium_page.h"
#include "report/html_reading.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kImages = 40;       // images in the simulated pack
constexpr int64_t kDriftFrom = 20;

// Two passes of the champion (right on even images), then two of the challenger (right on all but
// image 3); the champion's first pass is clean for frames before kDriftFrom.
std::vector<ScoredFrame> swap_stream() {
  std::vector<ScoredFrame> frames;
  for (int64_t frame = 0; frame < 4 * kImages; ++frame) {
    const int64_t item = frame % kImages;
    const bool challenger = frame >= 2 * kImages;
    frames.push_back({frame, item, challenger ? "m-challenger" : "m-champion", challenger ? item != 3 : item % 2 == 0});
  }
  return frames;
}

TEST(StreamAccuracy, both_models_are_scored_on_the_same_drifted_images_without_the_labelled_ones) {
  const SwapAccuracy accuracy = swap_accuracy(swap_stream(), "m-champion", "m-challenger", kDriftFrom, /*excluded_items=*/{0, 1, 3});
  EXPECT_EQ(accuracy.first_new_frame, 2 * kImages);
  EXPECT_EQ(accuracy.images, kImages - 3);
  EXPECT_EQ(accuracy.before_correct, 19);   // even images 2..38
  EXPECT_EQ(accuracy.after_correct, kImages - 3);
  const SwapAccuracy never = swap_accuracy(swap_stream(), "m-champion", "m-other", kDriftFrom, {});
  EXPECT_EQ(never.first_new_frame, -1);
  EXPECT_EQ(never.images, 0);
  EXPECT_DOUBLE_EQ(never.after(), 0.0);
}

TEST(StreamAccuracy, reads_the_prediction_lines_that_carry_a_true_class) {
  testing::TempDir temp;
  const fs::path log = temp / "run.jsonl";
  write_file_atomically(log, std::string(R"({"frame": 0, "item": 5, "label": "Bag", "truth": "Bag", "model_id": "m-a"})") + "\n" +
                                 R"({"topic": "status", "event": "model_swapped", "truth": "Bag", "label": "x", "frame": 1})" + "\n" +
                                 "not json\n" + R"({"frame": 2, "label": "Coat", "model_id": "m-a"})" + "\n" +
                                 R"({"frame": 3, "item": 6, "label": "Coat", "truth": "Shirt", "model_id": "m-b"})" + "\n");
  const std::vector<ScoredFrame> frames = scored_frames_from_jsonl(log);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].item, 5);
  EXPECT_TRUE(frames[0].correct);
  EXPECT_EQ(frames[1].model_id, "m-b");
  EXPECT_FALSE(frames[1].correct);
}

LoopReportData promoted_loop() {
  LoopReportData data;
  data.captures_version = "captures@1";
  data.captures_by_reason = {{"drift", 31}, {"low_confidence", 240}, {"random", 2}};
  data.labelled_version = "captures@2";
  data.labels_by_provenance = {{"oracle", 250}};
  data.label_order = "entropy";
  data.label_budget = 250;
  data.champion_id = "m-champion";
  data.challenger_id = "m-challenger";
  TestSetFigures original;
  original.test_set = "test:official";
  original.count = 10000;
  original.champion_accuracy = 0.8812;
  original.challenger_accuracy = 0.8790;
  original.champion_only_right = 131;
  original.challenger_only_right = 109;
  original.mcnemar_p = 0.17532;
  original.recall_drop_points = {1.2, -0.4};
  TestSetFigures captured;
  captured.test_set = "test:captured-captures-3";
  captured.captured = true;
  captured.count = 50;
  captured.champion_accuracy = 0.42;
  captured.challenger_accuracy = 0.78;
  captured.champion_only_right = 2;
  captured.challenger_only_right = 20;
  captured.mcnemar_p = 0.0000885;
  data.gate.passed = true;
  data.gate.figures = {original, captured};
  data.promoted = true;
  data.decision = "the gate passed against champion m-champion";
  data.device = "confirmed after probation; serving m-challenger";
  data.retrain_seconds = 41.25;
  data.gate_seconds = 3.5;
  data.push_seconds = 2.25;
  data.stream = swap_stream();
  data.drift_from_frame = kDriftFrom;
  data.accuracy = swap_accuracy(data.stream, data.champion_id, data.challenger_id, kDriftFrom, {0, 1, 3});
  return data;
}

TEST(LoopReport, shows_captures_labels_the_gate_and_the_swap_with_the_numbers_it_was_given) {
  const LoopReportData data = promoted_loop();
  const std::string html = render_loop_report(data);
  const auto facts = testing::html_key_values(html);
  EXPECT_EQ(facts.at("accuracy on the drifted stream"), "51.4% before the swap, 100.0% after (37 images)");
  EXPECT_EQ(facts.at("retrain, gate, push"), "41.2 s, 3.5 s, 2.2 s");
  EXPECT_EQ(facts.at("decision"), "promoted: the gate passed against champion m-champion");

  const auto reasons = testing::html_table_rows(html, 0);
  ASSERT_EQ(reasons.size(), 4u);
  EXPECT_EQ(reasons[0], (std::vector<std::string>{"drift", "31"}));
  EXPECT_EQ(reasons[1], (std::vector<std::string>{"low_confidence", "240"}));
  EXPECT_EQ(reasons[3], (std::vector<std::string>{"total", "273"}));
  const auto provenance = testing::html_table_rows(html, 1);
  ASSERT_EQ(provenance.size(), 2u);
  EXPECT_EQ(provenance[0], (std::vector<std::string>{"oracle", "250"}));

  const auto gate = testing::html_table_rows(html, 2);
  ASSERT_EQ(gate.size(), 2u);
  EXPECT_EQ(gate[0], (std::vector<std::string>{"test:official", "original", "10000", "88.1%", "87.9%", "131", "109", "0.1753", "1.2"}));
  EXPECT_EQ(gate[1], (std::vector<std::string>{"test:captured-captures-3", "captured", "50", "42.0%", "78.0%", "2", "20", "0.0001", "0.0"}));

  const auto swap = testing::html_table_rows(html, 3);
  ASSERT_EQ(swap.size(), 2u);
  EXPECT_EQ(swap[0], (std::vector<std::string>{"before the swap", "m-champion", "51.4%"}));
  EXPECT_EQ(swap[1], (std::vector<std::string>{"after the swap", "m-challenger", "100.0%"}));
  EXPECT_NE(html.find(">swap<"), std::string::npos);            // the marker on the timeline
  EXPECT_NE(html.find(">drift starts<"), std::string::npos);
}

TEST(LoopReport, renders_in_chromium_when_promoted_and_when_the_gate_refused) {
  testing::TempDir temp;
  LoopReportData refused = promoted_loop();
  refused.promoted = false;
  refused.decision = "not better on the captured set test:captured-captures-3: challenger 40.00% vs champion 42.00% (50 frames)";
  refused.device = "not pushed";
  refused.stream.clear();
  refused.accuracy = {};
  for (const auto& [name, data] : {std::pair{"loop-promoted", promoted_loop()}, std::pair{"loop-refused", refused}}) {
    const fs::path html = temp / (std::string(name) + ".html");
    write_file_atomically(html, render_loop_report(data));
    const auto page = testing::open_in_chromium(html, fs::path(EDGELOOP_BINARY_DIR) / "tests/report/screenshots" / (std::string(name) + ".png"));
    EXPECT_TRUE(page.rendered_ok()) << name;
    EXPECT_TRUE(page.console.empty()) << name << ": " << (page.console.empty() ? "" : page.console.front());
  }
  const std::string html = render_loop_report(refused);
  EXPECT_NE(html.find("Kept the champion:"), std::string::npos);
  EXPECT_NE(html.find("not better on the captured set"), std::string::npos);
}

}  // namespace
}  // namespace edgeloop
