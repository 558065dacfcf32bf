// The quickstart end to end on a CI-sized budget: a tiny Fashion-MNIST (real IDX files cut from
// Debian's copy), one small architecture, one epoch, a short sim stream whose drift starts early
// and is watched through a small window. Pins that the loop completes, the drift and the camera
// fault are both seen, frames are captured, the reports render in Chromium, and a second run in
// the same folder reuses the first (same sweep, same pick) and never tests twice on the official
// set (the ledger holds one entry for the model).
#include <gtest/gtest.h>

#include <algorithm>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/config.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/label_store.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/runtime/engine_ranking.h"
#include "report/chromium_page.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

namespace fs = std::filesystem;
using testing::run_shell;
using testing::shell_quote;
using testing::TempDir;

const fs::path kBinaryDir = EDGELOOP_BINARY_DIR;
const fs::path kFashionMnist = "/usr/share/datasets/fashion-mnist";
constexpr int kTrainImages = 1200;
constexpr int kTestImages = 300;
// 260 test images streamed: contrast drops from frame 60, so a 50-frame window is all drifted by
// frame 110 and the detector (test every 25 frames, raise after 2) has 150 frames to raise it.
constexpr const char* kStreamFlags = " --stream-frames 260 --drift contrast:0.35@60 --drift-window 50 --camera-fault black@200";

testing::CommandOutput run_quickstart_command(const TempDir& temp, const fs::path& dataset, const std::string& extra_flags) {
  const std::string command = shell_quote((kBinaryDir / "src/cli/edgeloop").string()) + " --json --threads 2 quickstart --dir " +
                              shell_quote((temp / "work").string()) + " --dataset " + shell_quote(dataset.string()) +
                              " --minutes 1 --archs linear --epochs 1 --bench-images 100" + kStreamFlags + extra_flags +
                              " --edge-binary " + shell_quote((kBinaryDir / "src/edged/edgeloop-edge").string()) + " 2>" +
                              shell_quote((temp / "stderr.log").string());
  return run_shell(command);
}

Json run_quickstart_cli(const TempDir& temp, const fs::path& dataset, const std::string& extra_flags = "") {
  const auto result = run_quickstart_command(temp, dataset, extra_flags);
  EXPECT_EQ(result.exit_status, 0) << run_shell("tail -c 3000 " + shell_quote((temp / "stderr.log").string())).output;
  return result.exit_status == 0 ? Json::parse(result.output) : Json::object();
}

// The tiny Fashion-MNIST in temp/tiny, or false when Debian's copy is missing.
bool make_tiny_dataset(const TempDir& temp) {
  fs::create_directories(temp / "tiny");
  const auto made = run_shell("python3 " + shell_quote(std::string(EDGELOOP_SOURCE_DIR) + "/tests/quickstart/make_tiny_fashion_mnist.py") +
                              " " + shell_quote(kFashionMnist.string()) + " " + shell_quote((temp / "tiny").string()) + " " +
                              std::to_string(kTrainImages) + " " + std::to_string(kTestImages) + " 2>&1");
  EXPECT_EQ(made.exit_status, 0) << made.output;
  return made.exit_status == 0;
}

int official_tests_of(const fs::path& workspace_root, const std::string& model_id) {
  Registry registry = Registry::open(Workspace::open(workspace_root).registry_path());
  int tests = 0;
  for (const EvaluationRecord& evaluation : ModelStore(registry).evaluations(model_id)) {
    if (evaluation.split == "test:official") ++tests;
  }
  return tests;
}

TEST(Quickstart, runs_the_whole_loop_on_a_tiny_budget_sees_drift_and_is_safe_to_run_twice) {
  if (!fs::exists(kBinaryDir / "src/edged/edgeloop-edge") || !fs::exists(kFashionMnist)) {
    GTEST_SKIP() << "needs edgeloop-edge built and Debian's dataset-fashion-mnist";
  }
  TempDir temp;
  ASSERT_TRUE(make_tiny_dataset(temp));

  const Json first = run_quickstart_cli(temp, temp / "tiny");
  ASSERT_TRUE(first.contains("picked_model")) << first.dump(2);
  EXPECT_EQ(first["picked_arch"], "linear");
  EXPECT_GT(first["val_accuracy"].get<double>(), 0.4);     // ten classes: chance is 0.1
  EXPECT_GT(first["test_accuracy"].get<double>(), 0.4);
  EXPECT_EQ(first["test_note"], "first use");
  // The bench times every engine export ranked as able to run the bundle, not xnnpack alone.
  const Bundle bundle = load_bundle(first["bundle"].get<std::string>());
  ASSERT_FALSE(bundle.engine_ranking.is_null());
  for (const RankedEngine& ranked : EngineRanking::from_json(bundle.engine_ranking).engines) {
    if (!ranked.skipped.empty()) continue;
    ASSERT_TRUE(first["latency_ms"].contains(ranked.engine)) << first["latency_ms"].dump();
    EXPECT_GT(first["latency_ms"][ranked.engine].get<double>(), 0.0);
  }
  EXPECT_TRUE(first["latency_ms"].contains("xnnpack-int8")) << first["latency_ms"].dump();
  EXPECT_GT(first["size_int8_bytes"].get<int64_t>(), 0);
  EXPECT_GE(first["drift_events"].get<int64_t>(), 1);       // raised during the low-contrast stream
  EXPECT_GE(first["camera_events"].get<int64_t>(), 1);      // the black frames
  EXPECT_GE(first["frames_captured"].get<int64_t>(), 1);
  EXPECT_TRUE(fs::exists(fs::path(first["deploy_directory"].get<std::string>()) / "deployment.json"));
  for (const Json& report : first["reports"]) {
    const fs::path html = report.get<std::string>();
    const auto page = testing::open_in_chromium(html, kBinaryDir / "tests/quickstart/screenshots" / (html.stem().string() + ".png"));
    EXPECT_TRUE(page.rendered_ok()) << html;
    EXPECT_TRUE(page.console.empty()) << html << ": " << (page.console.empty() ? "" : page.console.front());
  }
  const std::string model = first["picked_model"].get<std::string>();
  EXPECT_EQ(official_tests_of(temp / "work", model), 1);
  // stderr is a file here, not a terminal: still one line per step with the time elapsed and one
  // per sweep candidate's rung (arch, rung, validation accuracy, seconds).
  const std::string log = read_file(temp / "stderr.log");
  EXPECT_NE(log.find("== quickstart 5/11 ["), std::string::npos) << log.substr(0, 2000);
  EXPECT_NE(log.find("sweep: linear           rung 1/1   val "), std::string::npos) << log.substr(0, 2000);

  const Json second = run_quickstart_cli(temp, temp / "tiny");
  ASSERT_TRUE(second.contains("picked_model"));
  EXPECT_EQ(second["sweep_id"], first["sweep_id"]);                      // the sweep is reused, not run again
  EXPECT_EQ(second["picked_model"], first["picked_model"]);
  EXPECT_EQ(second["test_note"], "tested by an earlier run; not repeated");
  EXPECT_DOUBLE_EQ(second["test_accuracy"].get<double>(), first["test_accuracy"].get<double>());
  EXPECT_EQ(official_tests_of(temp / "work", model), 1);                 // the ledger: one test per model
  EXPECT_GE(second["drift_events"].get<int64_t>(), 1);
}

// The loop closed on the device's captures: every drifted frame captured, the oracle labels the
// most uncertain 100 with the class the sim: stream reports, a challenger trained for three epochs
// (the champion had one) on the union, the gate (recall limit lifted: 300 test images), and the challenger pushed
// over HTTP to a real edgeloop-edge running the drifted stream on loopback, which swaps to it.
TEST(Quickstart, loop_labels_the_captures_with_the_oracle_retrains_gates_and_swaps_the_running_device) {
  if (!fs::exists(kBinaryDir / "src/edged/edgeloop-edge") || !fs::exists(kFashionMnist)) {
    GTEST_SKIP() << "needs edgeloop-edge built and Debian's dataset-fashion-mnist";
  }
  TempDir temp;
  ASSERT_TRUE(make_tiny_dataset(temp));
  const Json summary = run_quickstart_cli(temp, temp / "tiny",
                                          " --loop --oracle --capture-drift-rate 1 --loop-labels 100 --retrain-from-scratch --retrain-epochs 3"
                                          " --max-recall-drop 100 --loop-fps 400");
  ASSERT_TRUE(summary.contains("loop")) << summary.dump(2);
  const Json& loop = summary.at("loop");
  ASSERT_TRUE(loop.is_object()) << summary.dump(2);
  // The device the loop pushed to is stopped before the quickstart returns, not left running.
  EXPECT_EQ(testing::processes_with_argument((temp / "work/loop/edge.json").string()), 0);
  EXPECT_GE(loop.at("captures").get<int64_t>(), 100);
  int64_t by_reason = 0;
  for (const auto& [reason, count] : loop.at("captures_by_reason").items()) by_reason += count.get<int64_t>();
  EXPECT_EQ(by_reason, loop.at("captures").get<int64_t>());
  EXPECT_EQ(loop.at("labels"), 100);
  EXPECT_EQ(loop.at("labels_by_provenance"), (Json{{"oracle", 100}}));
  EXPECT_EQ(loop.at("captured_test_set").get<std::string>().rfind("test:captured-captures-", 0), 0u) << loop.at("captured_test_set");
  EXPECT_EQ(loop.at("champion"), summary.at("picked_model"));
  ASSERT_EQ(loop.at("gate").at("test_sets").size(), 2u);
  if (loop.at("promoted").get<bool>()) {
    EXPECT_EQ(loop.at("push").at("result"), "confirmed") << loop.at("push").dump();
    EXPECT_EQ(loop.at("push").at("serving_model_id"), loop.at("challenger"));
    EXPECT_GT(loop.at("first_new_frame").get<int64_t>(), loop.at("drift_from_frame").get<int64_t>());
    // Both models scored on the same drifted images, the labelled ones left out (an image captured in
    // both runs, clean and drifted, may have been labelled twice).
    EXPECT_GT(loop.at("stream_images").get<int64_t>(), 0);
    EXPECT_LE(loop.at("stream_images").get<int64_t>(), 260 - static_cast<int64_t>(loop.at("labelled_items").size()));
  } else {
    // Tiny data can lose on its 19-frame captured set: the refusal names the condition, nothing is pushed.
    EXPECT_NE(loop.at("decision").get<std::string>().find("test:"), std::string::npos) << loop.at("decision");
    EXPECT_TRUE(loop.at("push").is_null());
    EXPECT_EQ(loop.at("stream_images"), 0);
  }

  // The labelled version: every label from the oracle, by oracle:sim, each the frame's true class.
  Registry registry = Registry::open(Workspace::open(temp / "work").registry_path());
  DatasetStore datasets(registry);
  const DatasetVersion labelled = datasets.resolve(loop.at("labelled_version").get<std::string>());
  int64_t checked = 0;
  const auto provenance = LabelStore(registry).provenance(labelled.id);
  for (const Sample& sample : datasets.samples(labelled.id)) {
    if (sample.label < 0) continue;
    ++checked;
    EXPECT_EQ(provenance.at(sample.object_hash).provenance, kProvenanceOracle);
    EXPECT_EQ(provenance.at(sample.object_hash).labelled_by, "oracle:sim");
    EXPECT_EQ(labelled.classes.at(sample.label), Json::parse(sample.suggested).at("truth").get<std::string>()) << sample.origin;
  }
  EXPECT_EQ(checked, 100);

  const fs::path report = loop.at("report").get<std::string>();
  const auto page = testing::open_in_chromium(report, kBinaryDir / "tests/quickstart/screenshots/loop.png");
  EXPECT_TRUE(page.rendered_ok()) << report;
  EXPECT_TRUE(page.console.empty()) << (page.console.empty() ? "" : page.console.front());
  const std::string log = read_file(temp / "stderr.log");
  EXPECT_NE(log.find("== quickstart 18/18 ["), std::string::npos) << log.substr(0, 3000);
}

TEST(Quickstart, loop_without_an_explicit_oracle_is_refused_before_any_work) {
  if (!fs::exists(kBinaryDir / "src/edged/edgeloop-edge") || !fs::exists(kFashionMnist)) {
    GTEST_SKIP() << "needs edgeloop-edge built and Debian's dataset-fashion-mnist";
  }
  TempDir temp;
  const auto result = run_quickstart_command(temp, kFashionMnist, " --loop");
  EXPECT_NE(result.exit_status, 0);
  const std::string message = read_file(temp / "stderr.log");
  EXPECT_NE(message.find("add --oracle"), std::string::npos) << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
  EXPECT_FALSE(fs::exists(temp / "work" / ".edgeloop"));
}

}  // namespace
}  // namespace edgeloop
