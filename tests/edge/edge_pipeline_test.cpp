#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "edge/fakes.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/edge/edge_pipeline.h"
#include "edgeloop/preprocess/image_features.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

using testing::GeneratedSource;
using testing::make_brightness_model;

// Records every payload by topic.
class RecordingSink : public EventSink {
 public:
  void publish(EdgeTopic topic, const Json& payload) override {
    std::lock_guard lock(mutex);
    events.emplace_back(topic, payload);
  }
  std::vector<Json> of(EdgeTopic topic) {
    std::lock_guard lock(mutex);
    std::vector<Json> found;
    for (const auto& [event_topic, payload] : events) {
      if (event_topic == topic) found.push_back(payload);
    }
    return found;
  }
  std::mutex mutex;
  std::vector<std::pair<EdgeTopic, Json>> events;
};

// A run of `source` through model-a into JSON lines (every topic or predictions only).
struct JsonlRun {
  EdgeMetrics metrics;
  std::ostringstream lines;
  PipelineSummary summary;
  JsonlRun(FrameSource& source, bool all_topics) {
    ModelSlot models(make_brightness_model("model-a"));
    JsonlSink jsonl(lines, all_topics);
    EdgePipeline pipeline(source, models, metrics, PipelineOptions{.queue_capacity = 2});
    pipeline.add_sink(&jsonl);
    summary = pipeline.run();
  }
};

TEST(EdgePipeline, a_file_source_infers_every_frame_in_order_and_writes_jsonl) {
  GeneratedSource source(200, /*live=*/false, [](int64_t index) { return index % 2 ? 200 : 30; });
  JsonlRun run(source, /*all_topics=*/false);
  const PipelineSummary& summary = run.summary;
  const EdgeMetrics& metrics = run.metrics;
  const std::ostringstream& lines = run.lines;
  EXPECT_EQ(summary.frames, 200);
  EXPECT_EQ(summary.dropped, 0);
  std::istringstream input(lines.str());
  std::string line;
  int64_t expected_frame = 0;
  while (std::getline(input, line)) {
    Json record = Json::parse(line);
    EXPECT_EQ(record["frame"], expected_frame);
    EXPECT_EQ(record["label"], expected_frame % 2 ? "bright" : "dark");
    EXPECT_EQ(record["model_id"], "model-a");
    EXPECT_EQ(record["top_k"].size(), 2u);
    EXPECT_TRUE(record.contains("ts"));
    EXPECT_TRUE(record["latency_ms"].contains("infer"));
    EXPECT_TRUE(record["latency_ms"].contains("monitor"));
    ++expected_frame;
  }
  EXPECT_EQ(expected_frame, 200);
  EXPECT_EQ(metrics.frames(), 200);
}

TEST(EdgePipeline, a_live_source_drops_the_oldest_frames_when_behind_and_counts_them) {
  GeneratedSource source(300, /*live=*/true, [](int64_t) { return 100; });
  ModelSlot models(make_brightness_model("slow", std::chrono::microseconds(2000)));
  EdgeMetrics metrics;
  EdgePipeline pipeline(source, models, metrics, PipelineOptions{.queue_capacity = 2});
  PipelineSummary summary = pipeline.run();
  EXPECT_GT(summary.dropped, 0);
  EXPECT_EQ(summary.frames + summary.dropped, 300);
  EXPECT_EQ(metrics.counter("frames_dropped"), summary.dropped);
}

TEST(EdgePipeline, stop_ends_an_endless_live_source_and_drains) {
  GeneratedSource source(-1, /*live=*/true, [](int64_t) { return 100; });
  ModelSlot models(make_brightness_model("model-a"));
  EdgeMetrics metrics;
  RecordingSink sink;
  EdgePipeline pipeline(source, models, metrics, PipelineOptions{});
  pipeline.add_sink(&sink);
  std::thread stopper([&] {
    while (metrics.frames() < 50) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    pipeline.stop();
  });
  PipelineSummary summary = pipeline.run();
  stopper.join();
  EXPECT_GE(summary.frames, 50);
  EXPECT_EQ(static_cast<int64_t>(sink.of(EdgeTopic::kPredictions).size()), summary.frames);
  auto status = sink.of(EdgeTopic::kStatus);
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status.back()["event"], "stopped");
}

TEST(EdgePipeline, every_event_line_carries_its_frame_and_time) {
  constexpr int64_t kBlackFrom = 60;   // the camera goes black: a health event
  GeneratedSource source(160, /*live=*/false, [](int64_t index) { return index < kBlackFrom ? 120 : 0; });
  JsonlRun run(source, /*all_topics=*/true);
  const std::ostringstream& lines = run.lines;
  std::istringstream input(lines.str());
  std::string line;
  int health_lines = 0;
  while (std::getline(input, line)) {
    const Json record = Json::parse(line);
    if (record.value("topic", "") == "status") continue;   // started, stopped: not about a frame
    EXPECT_TRUE(record.contains("frame") && record["frame"].is_number_integer()) << line;
    EXPECT_TRUE(record.contains("ts") && record["ts"].get<int64_t>() > 0) << line;
    // A health change (not the periodic sample every line also carries frame and ts for).
    if (record.value("topic", "") == "health" && !record.value("sampled", false)) {
      ++health_lines;
      EXPECT_GE(record["frame"].get<int64_t>(), kBlackFrom) << line;
    }
  }
  EXPECT_GE(health_lines, 1) << lines.str().substr(0, 2000);
}

TEST(EdgePipeline, a_brightness_shift_raises_a_drift_event_naming_brightness) {
  constexpr int kOnset = 400;
  auto model = make_brightness_model("model-a");
  // The reference: the features of clean frames, as export measures them on training data.
  GeneratedSource clean(2000, false, [](int64_t) { return 90; });
  ReferenceStatisticsBuilder builder(/*embedding_size=*/1);
  for (ReadResult read = clean.read(); read.status == ReadStatus::kFrame; read = clean.read()) {
    cv::Mat model_uint8 = model->preprocess.apply_uint8(read.frame.image);
    InferenceResult result = model->infer_one(model->preprocess.finish_uint8(model_uint8));
    builder.add(compute_image_features(model_uint8), std::max(result.probabilities[0], result.probabilities[1]),
                result.embedding);
  }
  model->reference = builder.finish("clean generated frames");
  GeneratedSource source(1000, false, [](int64_t index) { return index >= kOnset ? 150 : 90; });
  ModelSlot models(model);
  EdgeMetrics metrics;
  RecordingSink sink;
  EdgePipeline pipeline(source, models, metrics, PipelineOptions{});
  pipeline.add_sink(&sink);
  PipelineSummary summary = pipeline.run();
  auto drift = sink.of(EdgeTopic::kDrift);
  ASSERT_FALSE(drift.empty());
  EXPECT_EQ(drift.front()["drift"], true);
  EXPECT_GE(drift.front()["frame"].get<int64_t>(), kOnset);
  EXPECT_LE(drift.front()["frame"].get<int64_t>(), kOnset + 300);
  // The fake model's confidence and embedding follow brightness, so they move with it; contrast does not.
  const Json moved = drift.front()["moved"];
  EXPECT_NE(std::find(moved.begin(), moved.end(), "brightness"), moved.end()) << moved.dump();
  EXPECT_EQ(std::find(moved.begin(), moved.end(), "contrast"), moved.end()) << moved.dump();
  EXPECT_EQ(summary.drift_events, 1);
  EXPECT_NE(metrics.prometheus_text().find("edgeloop_drift_active 1"), std::string::npos);
}

TEST(EdgePipeline, low_confidence_frames_are_captured_with_a_sidecar) {
  testing::TempDir directory;
  // Level 128 ± texture: the fake model is unsure (score near 0.5-0.6).
  GeneratedSource source(20, false, [](int64_t index) { return index < 10 ? 120 : 250; });
  ModelSlot models(make_brightness_model("model-a"));
  EdgeMetrics metrics;
  PipelineOptions options;
  options.settings.capture.directory = directory / "captures";
  options.settings.capture.low_confidence_below = 0.7;
  options.settings.capture.random_rate = 0.0;
  EdgePipeline pipeline(source, models, metrics, options);
  PipelineSummary summary = pipeline.run();
  EXPECT_EQ(summary.captures, 10);
  int sidecars = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory / "captures")) {
    if (entry.path().extension() != ".json") continue;
    ++sidecars;
    Json sidecar = Json::parse(read_file(entry.path()));
    EXPECT_EQ(sidecar["reason"], "low_confidence");
    EXPECT_EQ(sidecar["model_id"], "model-a");
    EXPECT_LT(sidecar["score"].get<double>(), 0.7);
    EXPECT_TRUE(sidecar.contains("ts"));
    EXPECT_TRUE(sidecar.contains("label"));
    cv::Mat image = cv::imread((entry.path().parent_path() / sidecar["image"].get<std::string>()).string());
    EXPECT_FALSE(image.empty());
  }
  EXPECT_EQ(sidecars, 10);
}

TEST(EdgePipeline, settings_are_validated_and_applied_while_running) {
  GeneratedSource source(10, false, [](int64_t) { return 100; });
  ModelSlot models(make_brightness_model("model-a"));
  EdgeMetrics metrics;
  EdgePipeline pipeline(source, models, metrics, PipelineOptions{});
  pipeline.update_settings(Json{{"drift", {{"window_frames", 300}}}, {"health", {{"frozen_frames", 10}}}});
  EXPECT_EQ(pipeline.settings().drift.window_frames, 300);
  EXPECT_EQ(pipeline.settings().health.frozen_frames, 10);
  EXPECT_THROW(pipeline.update_settings(Json{{"drift", {{"family_alpha", -1}}}}), Error);
  EXPECT_THROW(pipeline.update_settings(Json{{"speed", 1}}), Error);
  EXPECT_EQ(pipeline.settings().drift.window_frames, 300);
}

// Frames are prepared on the capture thread for the model current then; a swap while some wait
// in the queue must run them through the new model's preprocessing, not the old one's.
TEST(EdgePipeline, frames_prepared_for_a_swapped_out_model_are_prepared_again_for_the_new_one) {
  constexpr int64_t kFrames = 200, kSwapAfter = 20;
  GeneratedSource source(kFrames, /*live=*/false, [](int64_t) { return 200; });   // every frame bright
  ModelSlot models(make_brightness_model("model-a"));
  auto inverting = make_brightness_model("model-b");   // same engine; its preprocessing inverts the image
  inverting->preprocess = Pipeline::from_json(Json{{"ops",
                                                    {{{"op", "decode"}, {"color", "gray"}},
                                                     {{"op", "resize"}, {"width", testing::kFakeInputSide}, {"height", testing::kFakeInputSide}},
                                                     {{"op", "brightness_contrast"}, {"alpha", -1.0}, {"beta", 255.0}},
                                                     {{"op", "to_float"}}}}});
  EdgeMetrics metrics;
  RecordingSink sink;
  EdgePipeline pipeline(source, models, metrics, PipelineOptions{.queue_capacity = 8});
  pipeline.add_sink(&sink);
  int64_t inferred = 0;
  pipeline.set_frame_observer([&](const std::string&, const FrameRecord&) {
    if (++inferred == kSwapAfter) models.replace(inverting);
  });
  ASSERT_EQ(pipeline.run().frames, kFrames);
  const std::vector<Json> predictions = sink.of(EdgeTopic::kPredictions);
  ASSERT_EQ(predictions.size(), size_t(kFrames));
  for (int64_t frame = 0; frame < kFrames; ++frame) {
    const bool swapped = frame >= kSwapAfter;
    EXPECT_EQ(predictions[frame]["model_id"], swapped ? "model-b" : "model-a") << "frame " << frame;
    EXPECT_EQ(predictions[frame]["label"], swapped ? "dark" : "bright") << "frame " << frame;
  }
}

}  // namespace
}  // namespace edgeloop
