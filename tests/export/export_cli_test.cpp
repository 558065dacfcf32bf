#include <gtest/gtest.h>

#include <fstream>

#include "export/export_workspace.h"
#include "support/subprocess.h"

namespace edgeloop {
namespace {

const std::filesystem::path kCli = std::filesystem::path(EDGELOOP_BINARY_DIR) / "src/cli/edgeloop";
constexpr int kCorruptExitStatus = 5;   // ErrorCode::kCorrupt

TEST(ExportCli, export_writes_a_bundle_that_verify_accepts_and_one_changed_byte_is_refused) {
  if (!std::filesystem::exists(kCli)) GTEST_SKIP() << kCli << " is not built in this build folder";
  testing::ExportWorkspace workspace(/*train_images=*/90, /*val_images=*/30);
  LayerGraphModule module = workspace.make_module("cnn-s");
  const std::string id = workspace.store(*module, "cnn-s", "m-cli-cnn-s");
  const std::string root = workspace.workspace().root().string();
  const std::string bundle = root + "/cli.bundle";
  const std::string prefix = kCli.string() + " -q --threads 1 --workspace " + root + " ";

  const auto exported = testing::run_shell(prefix + "export " + id + " --int8 --calibration 30 --parity-images 8 "
                                                    "--evaluation-images 12 --reference-images 30 --out " + bundle + " 2>&1");
  ASSERT_EQ(exported.exit_status, 0) << exported.output;
  EXPECT_NE(exported.output.find("int8 on 12 validation images"), std::string::npos) << exported.output;
  EXPECT_NE(exported.output.find("xnnpack "), std::string::npos) << exported.output;
  EXPECT_NE(exported.output.find("model.int8.onnx"), std::string::npos) << exported.output;

  const auto verified = testing::run_shell(prefix + "bundle verify " + bundle + " 2>&1");
  EXPECT_EQ(verified.exit_status, 0) << verified.output;
  EXPECT_NE(verified.output.find("verified"), std::string::npos) << verified.output;

  {
    std::fstream file(bundle + "/model.onnx", std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(100);
    const char byte = static_cast<char>(file.get() ^ 0x01);
    file.seekp(100);
    file.put(byte);
  }
  const auto refused = testing::run_shell(prefix + "bundle verify " + bundle + " 2>&1");
  EXPECT_EQ(refused.exit_status, kCorruptExitStatus) << refused.output;
  EXPECT_NE(refused.output.find("model.onnx: sha256 mismatch"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace edgeloop
