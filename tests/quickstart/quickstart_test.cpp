// The quickstart end to end on a CI-sized budget: a tiny Fashion-MNIST (real IDX files cut from
// Debian's copy), one small architecture, one epoch, a short sim stream. Pins that the loop
// completes, the official test set is used once (a second run reuses, never repeats, the test),
// the camera fault is seen, frames are captured, and the reports render in Chromium.
#include <gtest/gtest.h>

#include "edgeloop/core/config.h"
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

Json run_quickstart_cli(const TempDir& temp, const fs::path& dataset) {
  const std::string command = shell_quote((kBinaryDir / "src/cli/edgeloop").string()) + " --json --threads 2 quickstart --dir " +
                              shell_quote((temp / "work").string()) + " --dataset " + shell_quote(dataset.string()) +
                              " --minutes 1 --archs linear --epochs 1 --stream-frames 260 --bench-images 100 --edge-binary " +
                              shell_quote((kBinaryDir / "src/edged/edgeloop-edge").string()) + " 2>" +
                              shell_quote((temp / "stderr.log").string());
  const auto result = run_shell(command);
  EXPECT_EQ(result.exit_status, 0) << run_shell("tail -c 3000 " + shell_quote((temp / "stderr.log").string())).output;
  return result.exit_status == 0 ? Json::parse(result.output) : Json::object();
}

TEST(Quickstart, runs_the_whole_loop_on_a_tiny_budget_and_is_safe_to_run_twice) {
  if (!fs::exists(kBinaryDir / "src/edged/edgeloop-edge") || !fs::exists(kFashionMnist)) {
    GTEST_SKIP() << "needs edgeloop-edge built and Debian's dataset-fashion-mnist";
  }
  TempDir temp;
  fs::create_directories(temp / "tiny");
  const auto made = run_shell("python3 " + shell_quote(std::string(EDGELOOP_SOURCE_DIR) + "/tests/quickstart/make_tiny_fashion_mnist.py") +
                              " " + shell_quote(kFashionMnist.string()) + " " + shell_quote((temp / "tiny").string()) + " 1200 300 2>&1");
  ASSERT_EQ(made.exit_status, 0) << made.output;

  const Json first = run_quickstart_cli(temp, temp / "tiny");
  ASSERT_TRUE(first.contains("picked_model")) << first.dump(2);
  EXPECT_EQ(first["picked_arch"], "linear");
  EXPECT_GT(first["val_accuracy"].get<double>(), 0.4);     // ten classes: chance is 0.1
  EXPECT_GT(first["test_accuracy"].get<double>(), 0.4);
  EXPECT_EQ(first["test_note"], "first use");
  EXPECT_GT(first["latency_fp32_ms"].get<double>(), 0.0);
  EXPECT_GT(first["size_int8_bytes"].get<int64_t>(), 0);
  EXPECT_GE(first["camera_events"].get<int64_t>(), 1);      // the black frames
  EXPECT_GT(first["frames_captured"].get<int64_t>(), 0);
  EXPECT_TRUE(fs::exists(fs::path(first["deploy_directory"].get<std::string>()) / "deployment.json"));
  for (const Json& report : first["reports"]) {
    const fs::path html = report.get<std::string>();
    const auto page = testing::open_in_chromium(html, kBinaryDir / "tests/quickstart/screenshots" / (html.stem().string() + ".png"));
    EXPECT_TRUE(page.rendered_ok()) << html;
    EXPECT_TRUE(page.console.empty()) << html << ": " << (page.console.empty() ? "" : page.console.front());
  }

  const Json second = run_quickstart_cli(temp, temp / "tiny");
  ASSERT_TRUE(second.contains("picked_model"));
  EXPECT_EQ(second["picked_model"], first["picked_model"]);              // the sweep is reused
  EXPECT_EQ(second["test_note"], "tested by an earlier run; not repeated");
  EXPECT_DOUBLE_EQ(second["test_accuracy"].get<double>(), first["test_accuracy"].get<double>());
}

}  // namespace
}  // namespace edgeloop
