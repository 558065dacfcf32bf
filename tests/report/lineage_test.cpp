// Pins lineage on a real registry: model → run → dataset version → import with its rejects,
// every test-set use with reuse counted, and a bundle verified before its lineage is trusted.
#include <gtest/gtest.h>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/report/lineage.h"
#include "report/tiny_registry.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

using testing::fill_tiny_registry;
using testing::TempDir;

TEST(Lineage, model_traces_to_run_dataset_version_import_rejects_and_test_uses) {
  TempDir temp;
  Registry registry = Registry::open(temp / "registry.db");
  const auto ids = fill_tiny_registry(registry);
  const Json lineage = build_lineage(registry, "m-00000000000a");
  EXPECT_EQ(lineage["model"]["id"], ids.model_id);
  EXPECT_EQ(lineage["run"]["code_commit"], "abc1234");
  EXPECT_EQ(lineage["run"]["config"]["epochs"], 3);
  ASSERT_EQ(lineage["dataset_versions"].size(), 1u);
  const Json& version = lineage["dataset_versions"][0];
  EXPECT_EQ(version["reference"], "tiny@1");
  ASSERT_EQ(version["imports"].size(), 1u);
  EXPECT_EQ(version["imports"][0]["rejects_total"], 1);
  EXPECT_EQ(version["imports"][0]["rejects"][0]["reason"], "not an image");
  ASSERT_EQ(lineage["test_set_uses"].size(), 1u);   // the val evaluation is not a test-set use
  EXPECT_EQ(lineage["test_set_uses"][0]["earlier_models"], 1);
  const std::string text = lineage_to_text(lineage);
  EXPECT_NE(text.find("rejected /data/tiny/broken.png: not an image"), std::string::npos) << text;
  EXPECT_NE(text.find("reused (1 earlier models)"), std::string::npos) << text;
}

TEST(Lineage, bundle_is_verified_and_leads_to_its_model) {
  TempDir temp;
  Registry registry = Registry::open(temp / "registry.db");
  const auto ids = fill_tiny_registry(registry);
  Bundle bundle;
  bundle.directory = temp / "bundle";
  std::filesystem::create_directories(bundle.directory);
  bundle.model_id = ids.model_id;
  bundle.arch = "cnn-s";
  bundle.labels = {"cat", "dog", "bird"};
  bundle.lineage = Json{{"model_id", ids.model_id}};
  write_file_atomically(bundle.directory / "model.onnx", std::string("onnx bytes"));
  bundle.files["model.onnx"] = {};
  write_bundle_manifest(bundle);
  const Json lineage = build_lineage(registry, bundle.directory.string());
  EXPECT_EQ(lineage["bundle"]["verified"], true);
  EXPECT_EQ(lineage["model"]["id"], ids.model_id);
  EXPECT_NE(lineage_to_text(lineage).find("bundle "), std::string::npos);

  write_file_atomically(bundle.directory / "model.onnx", std::string("tampered"));
  try {
    build_lineage(registry, bundle.directory.string());
    FAIL() << "a tampered bundle was trusted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kCorrupt) << error.what();
  }
}

TEST(Lineage, unknown_model_is_a_clear_not_found) {
  TempDir temp;
  Registry registry = Registry::open(temp / "registry.db");
  fill_tiny_registry(registry);
  try {
    build_lineage(registry, "m-ffffffffffff");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound) << error.what();
  }
}

}  // namespace
}  // namespace edgeloop
