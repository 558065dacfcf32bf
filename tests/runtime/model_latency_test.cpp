// The sweep's latency column comes from the device's engines: a trained network is timed on the
// xnnpack engine through the ONNX graph export would write, a baseline on the classic engine.
#include <gtest/gtest.h>

#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/runtime/model_latency.h"
#include "edgeloop/train/sweep.h"
#include "support/temp_dir.h"
#include "train/tiny_dataset.h"

namespace edgeloop {

TEST(ModelLatency, sweep_rows_are_timed_and_sized_on_the_device_engines_through_the_exported_graph) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  SweepOptions options;
  options.data = testing::make_tiny_dataset(workspace, "shapes");
  options.archs = {"knn:raw", "cnn-s:w=0.5"};
  options.train.epochs = 1;
  options.train.batch = 16;
  options.train.threads = 1;
  options.latency_probe = device_latency_probe;
  const SweepResult result = run_sweep(workspace, options, {});
  ASSERT_EQ(result.rows.size(), 2u);
  EXPECT_EQ(result.rows[0].latency_engine, "classic");
  EXPECT_EQ(result.rows[1].latency_engine, "xnnpack");
  for (const SweepRow& row : result.rows) EXPECT_GT(row.latency_ms, 0.0) << row.arch;
  // The timed graph is the one export writes: it passes the ONNX checker.
  const auto graph = workspace.cache_dir() / "device-latency" / (result.rows[1].model_id + ".onnx");
  ASSERT_TRUE(std::filesystem::exists(graph));
  EXPECT_NO_THROW(check_onnx_model(load_onnx_model(graph), graph.string()));
  EXPECT_EQ(result.to_json()["rows"][1]["latency_engine"], "xnnpack");
  // Every row carries the size of the file the device loads (the sweep report's "size KB" column).
  EXPECT_EQ(result.rows[1].bundle_bytes, static_cast<int64_t>(std::filesystem::file_size(graph)));
  EXPECT_GT(result.rows[0].bundle_bytes, 0);
}

}  // namespace edgeloop
