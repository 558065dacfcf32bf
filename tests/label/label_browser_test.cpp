// The labelling page in a real headless Chromium (Debian's, driven by puppeteer-core from npm:
// label_browser.mjs): 30 frames labelled by keys, one undone, the server SIGKILLed mid-way and
// restarted while the page keeps labelling; afterwards every label is in the registry, exactly, the
// page's counts agree, and every frame a key moved to had been preloaded.
#include <gtest/gtest.h>

#include <fstream>

#include "edgeloop/label/labelling_session.h"
#include "edge/loopback_port.h"
#include "label/capture_workspace.h"
#include "support/subprocess.h"

namespace edgeloop {
namespace {

namespace fs = std::filesystem;

const fs::path kLabelTools = fs::path(EDGELOOP_SOURCE_DIR) / "tests/label";
const fs::path kServer = fs::path(EDGELOOP_BINARY_DIR) / "tests/label/edgeloop_label_test_server";

TEST(LabelPage, keys_undo_and_a_killed_server_lose_no_label_in_chromium) {
  if (!fs::exists("/usr/bin/chromium") || !fs::exists(kLabelTools / "node_modules/puppeteer-core")) {
    GTEST_SKIP() << "needs /usr/bin/chromium and tests/label/node_modules (scripts/install-deps.sh)";
  }
  testing::CaptureWorkspace ws;
  const std::string captures = ws.import_captures(testing::varied_captures(40));
  const fs::path out = ws.dir / "browser.json";
  const std::string command = "node " + testing::shell_quote((kLabelTools / "label_browser.mjs").string()) + " --server " +
                              testing::shell_quote(kServer.string()) + " --workspace " + testing::shell_quote(ws.workspace.root().string()) +
                              " --dataset " + captures + " --classes base --port " + std::to_string(testing::free_loopback_port()) +
                              " --labels 30 --undo-at 9 --kill-at 17 --restart-at 23 --out " + testing::shell_quote(out.string()) + " 2>&1";
  const auto run = testing::run_shell(command);
  ASSERT_EQ(run.exit_status, 0) << run.output;
  std::ifstream input(out);
  const Json result = Json::parse(input);
  EXPECT_TRUE(result["killed"]);
  EXPECT_TRUE(result["restarted"]);
  EXPECT_GT(result["unsaved_while_down"].get<int>(), 0);
  // The page said so while the server was away, at once (a failed request), not after its grace period.
  EXPECT_EQ(result["save_text_while_down"].get<std::string>().rfind("unsaved: ", 0), 0u) << result["save_text_while_down"];
  EXPECT_EQ(result["save_text"], "saved");

  LabelOptions options;
  options.dataset = captures;
  options.classes_from = "base";
  Registry registry = Registry::open(ws.workspace.registry_path());
  const auto stored = LabelStore(registry).current(LabellingSession(registry, options).version().id);
  const Json& expected = result["expected"];
  EXPECT_EQ(expected.size(), 29u);   // 30 keys, one frame undone and labelled again
  ASSERT_EQ(stored.size(), expected.size());
  for (const auto& [hash, class_index] : expected.items()) {
    ASSERT_TRUE(stored.count(hash)) << hash;
    EXPECT_EQ(*stored.at(hash).label, testing::kCaptureClasses[class_index.get<int>()]) << hash;
    EXPECT_EQ(stored.at(hash).provenance, kProvenanceHuman);
    EXPECT_EQ(stored.at(hash).labeller, "browser-test");
  }
  EXPECT_EQ(result["page_counts"]["labelled"], 29);
  std::vector<int> per_class(testing::kCaptureClasses.size(), 0);   // the page keeps these as it labels and undoes
  for (const auto& [hash, class_index] : expected.items()) ++per_class[class_index.get<int>()];
  EXPECT_EQ(result["page_counts"]["perClass"], Json(per_class));
  // Each frame a key moved to had been fetched ahead (the page preloads the next frames).
  EXPECT_EQ(result["shown_without_preload"], Json::array());
}

}  // namespace
}  // namespace edgeloop
