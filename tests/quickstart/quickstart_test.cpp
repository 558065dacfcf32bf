// The quickstart end to end on a CI-sized budget: a tiny Fashion-MNIST (real IDX files cut from
// Debian's copy), one small architecture, one epoch, a short sim stream whose drift starts early
// and is watched through a small window. Pins that the loop completes, the drift and the camera
// fault are both seen, frames are captured, the reports render in Chromium, and a second run in
// the same folder reuses the first (same sweep, same pick) and never tests twice on the official
// set (the ledger holds one entry for the model).
#include <gtest/gtest.h>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/config.h"
#include "edgeloop/core/workspace.h"
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

Json run_quickstart_cli(const TempDir& temp, const fs::path& dataset) {
  const std::string command = shell_quote((kBinaryDir / "src/cli/edgeloop").string()) + " --json --threads 2 quickstart --dir " +
                              shell_quote((temp / "work").string()) + " --dataset " + shell_quote(dataset.string()) +
                              " --minutes 1 --archs linear --epochs 1 --bench-images 100" + kStreamFlags + " --edge-binary " +
                              shell_quote((kBinaryDir / "src/edged/edgeloop-edge").string()) + " 2>" +
                              shell_quote((temp / "stderr.log").string());
  const auto result = run_shell(command);
  EXPECT_EQ(result.exit_status, 0) << run_shell("tail -c 3000 " + shell_quote((temp / "stderr.log").string())).output;
  return result.exit_status == 0 ? Json::parse(result.output) : Json::object();
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
  fs::create_directories(temp / "tiny");
  const auto made = run_shell("python3 " + shell_quote(std::string(EDGELOOP_SOURCE_DIR) + "/tests/quickstart/make_tiny_fashion_mnist.py") +
                              " " + shell_quote(kFashionMnist.string()) + " " + shell_quote((temp / "tiny").string()) + " " +
                              std::to_string(kTrainImages) + " " + std::to_string(kTestImages) + " 2>&1");
  ASSERT_EQ(made.exit_status, 0) << made.output;

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

}  // namespace
}  // namespace edgeloop
