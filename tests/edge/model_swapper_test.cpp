#include <gtest/gtest.h>

#include <thread>

#include "edge/fakes.h"
#include "edgeloop/core/error.h"
#include "edgeloop/edge/edge_pipeline.h"
#include "edgeloop/edge/model_swapper.h"

namespace edgeloop {
namespace {

using testing::GeneratedSource;
using testing::make_brightness_model;

class CollectingSink : public EventSink {
 public:
  void publish(EdgeTopic topic, const Json& payload) override {
    std::lock_guard lock(mutex);
    if (topic == EdgeTopic::kPredictions) predictions.push_back(payload);
    if (topic == EdgeTopic::kStatus) statuses.push_back(payload);
  }
  std::mutex mutex;
  std::vector<Json> predictions;
  std::vector<Json> statuses;
};

// A loader that gives fake models named after the directory, and refuses directories named "bad*".
std::shared_ptr<LoadedModel> fake_loader(const std::filesystem::path& directory) {
  if (directory.filename().string().starts_with("bad")) throw corrupt(directory.string() + "/model.onnx: sha256 mismatch");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));   // loading takes a while
  return make_brightness_model(directory.filename().string());
}

TEST(ModelSwapper, a_swap_under_load_lands_between_frames_and_drops_none) {
  constexpr int kFrames = 3000;
  GeneratedSource source(kFrames, /*live=*/false, [](int64_t) { return 100; });
  ModelSlot slot(make_brightness_model("model-a", std::chrono::microseconds(100)));
  EdgeMetrics metrics;
  CollectingSink sink;
  EdgePipeline pipeline(source, slot, metrics, PipelineOptions{});
  pipeline.add_sink(&sink);
  ModelSwapper swapper(slot, fake_loader, metrics);
  swapper.add_sink(&sink);
  std::thread swap_when_running([&] {
    while (metrics.frames() < 100) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_TRUE(swapper.request("/bundles/model-b", "test"));
  });
  PipelineSummary summary = pipeline.run();
  swap_when_running.join();
  ASSERT_TRUE(swapper.wait()->swapped);
  ASSERT_EQ(summary.frames, kFrames);
  ASSERT_EQ(sink.predictions.size(), static_cast<size_t>(kFrames));
  // Frames 0..k-1 ran model-a, k..end model-b: one switch, no frame missing.
  int switches = 0;
  for (int frame = 0; frame < kFrames; ++frame) {
    EXPECT_EQ(sink.predictions[frame]["frame"], frame);
    if (frame > 0 && sink.predictions[frame]["model_id"] != sink.predictions[frame - 1]["model_id"]) ++switches;
  }
  EXPECT_EQ(switches, 1);
  EXPECT_EQ(sink.predictions.back()["model_id"], "model-b");
  EXPECT_EQ(metrics.counter("model_swaps"), 1);
}

TEST(ModelSwapper, a_refused_bundle_is_published_and_the_old_model_runs_on) {
  ModelSlot slot(make_brightness_model("model-a"));
  EdgeMetrics metrics;
  CollectingSink sink;
  ModelSwapper swapper(slot, fake_loader, metrics);
  swapper.add_sink(&sink);
  ASSERT_TRUE(swapper.request("/bundles/bad-model", "mqtt"));
  std::optional<SwapOutcome> outcome = swapper.wait();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_FALSE(outcome->swapped);
  EXPECT_NE(outcome->reason.find("sha256 mismatch"), std::string::npos);
  EXPECT_EQ(slot.current()->model_id, "model-a");
  ASSERT_EQ(sink.statuses.size(), 1u);
  EXPECT_EQ(sink.statuses[0]["event"], "model_refused");
  EXPECT_EQ(sink.statuses[0]["origin"], "mqtt");
  EXPECT_EQ(metrics.counter("model_swap_failures"), 1);
}

}  // namespace
}  // namespace edgeloop
