#include <gtest/gtest.h>

#include <fstream>

#include "edge/fakes.h"
#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/error.h"
#include "edgeloop/edge/bundle_model_loader.h"
#include "edgeloop/edge/model_swapper.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

using testing::make_brightness_model;

TEST(BundleModelLoader, a_tampered_bundle_is_refused_by_the_real_loader_naming_the_file) {
  testing::TempDir directory;
  Bundle bundle;
  bundle.directory = directory / "bundle";
  std::filesystem::create_directories(bundle.directory);
  std::ofstream(bundle.directory / "model.onnx") << "onnx bytes";
  bundle.model_id = "model-t";
  bundle.labels = {"a", "b"};
  bundle.files = {{"model.onnx", {}}};
  write_bundle_manifest(bundle);
  std::ofstream(bundle.directory / "model.onnx", std::ios::app) << "tampered";
  ModelSlot slot(make_brightness_model("model-a"));
  EdgeMetrics metrics;
  ModelSwapper swapper(slot, bundle_model_loader({}), metrics);
  swapper.request(bundle.directory, "http");
  std::optional<SwapOutcome> outcome = swapper.wait();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_FALSE(outcome->swapped);
  EXPECT_NE(outcome->reason.find("model.onnx"), std::string::npos) << outcome->reason;
  EXPECT_EQ(slot.current()->model_id, "model-a");
}

}  // namespace
}  // namespace edgeloop
