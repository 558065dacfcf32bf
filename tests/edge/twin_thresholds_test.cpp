#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "edge/fakes.h"
#include "edgeloop/core/error.h"
#include "edgeloop/deploy/deployment_manifest.h"
#include "edgeloop/edge/edge_options.h"
#include "edgeloop/edge/edge_pipeline.h"
#include "edgeloop/edge/twin_thresholds.h"

namespace edgeloop {
namespace {

using testing::GeneratedSource;
using testing::make_brightness_model;

constexpr auto kPatience = std::chrono::seconds(30);   // a deadline for waits, not a timing assertion

// Thresholds unlike both sides' defaults, so each key visibly moves its setting.
EdgeThresholds changed_thresholds() {
  EdgeThresholds thresholds;
  thresholds.drift_score = 0.4;
  thresholds.drift_window_frames = 120;
  thresholds.min_brightness = 30;
  thresholds.max_brightness = 105;   // under the generated frames' ~110: they read as white
  thresholds.min_sharpness = 25;
  thresholds.frozen_seconds = 2;
  thresholds.capture_confidence_below = 0.7;
  thresholds.capture_max_per_minute = 12;
  return thresholds;
}

// The module twin's desired properties exactly as `edgeloop deploy` writes them.
Json desired_properties(const EdgeThresholds& thresholds) {
  DeployOptions options;
  options.bundle_directory = "bundle";
  options.http_token = "token";
  options.thresholds = thresholds;
  const Json manifest = build_deployment_manifest(options, "m-twin");
  return manifest.at("modulesContent").at(options.module_name).at("properties.desired");
}

// Each twin key's setting, read back from the settings.
void expect_every_key_applied(const Json& desired, const MonitorSettings& settings) {
  const Json applied = to_json(settings);
  int checked = 0;
  for (const TwinThreshold& threshold : twin_thresholds()) {
    ASSERT_TRUE(desired.contains(threshold.key)) << threshold.key << " is not in the twin deploy writes";
    EXPECT_EQ(applied.at(threshold.section).at(threshold.setting), desired.at(threshold.key)) << threshold.key;
    ++checked;
  }
  // Every key deploy writes is either a threshold checked above or an annotation.
  for (const auto& [key, value] : desired.items()) {
    if (!is_twin_annotation(key)) --checked;
  }
  EXPECT_EQ(checked, 0);
}

class HealthRecorder : public EventSink {
 public:
  void publish(EdgeTopic topic, const Json& payload) override {
    std::lock_guard lock(mutex_);
    if (topic == EdgeTopic::kPredictions) ++predictions_;
    if (topic == EdgeTopic::kHealth) health_.push_back(payload);
  }
  int predictions() {
    std::lock_guard lock(mutex_);
    return predictions_;
  }
  bool saw_reason(const std::string& reason) {
    std::lock_guard lock(mutex_);
    for (const Json& report : health_) {
      for (const Json& given : report["reasons"]) if (given == reason) return true;
    }
    return false;
  }

 private:
  std::mutex mutex_;
  int predictions_ = 0;
  std::vector<Json> health_;
};

template <typename Condition>
bool wait_for(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(TwinThresholds, the_desired_properties_deploy_writes_apply_to_a_running_pipeline) {
  const Json desired = desired_properties(changed_thresholds());
  GeneratedSource source(-1, /*live=*/true, [](int64_t) { return 100; });
  ModelSlot models(make_brightness_model("model-a"));
  EdgeMetrics metrics;
  EdgePipeline pipeline(source, models, metrics, PipelineOptions{});
  HealthRecorder recorder;
  pipeline.add_sink(&recorder);
  std::thread running([&] { pipeline.run(); });
  // Stops and joins however the test body ends (an assertion or an exception included).
  struct JoinOnExit {
    EdgePipeline& pipeline;
    std::thread& thread;
    ~JoinOnExit() {
      pipeline.stop();
      if (thread.joinable()) thread.join();
    }
  } join_on_exit{pipeline, running};
  const bool flowing = wait_for([&] { return recorder.predictions() > 20; });
  EXPECT_FALSE(recorder.saw_reason("white"));
  pipeline.update_settings(desired);
  expect_every_key_applied(desired, pipeline.settings());
  // The lowered max_brightness reaches the health monitor between frames.
  const bool white = flowing && wait_for([&] { return recorder.saw_reason("white"); });
  EXPECT_TRUE(flowing) << recorder.predictions() << " predictions";
  EXPECT_TRUE(white);
}

TEST(TwinThresholds, a_bad_value_is_refused_and_the_old_settings_kept) {
  GeneratedSource source(1, false, [](int64_t) { return 100; });
  ModelSlot models(make_brightness_model("model-a"));
  EdgeMetrics metrics;
  EdgePipeline pipeline(source, models, metrics, PipelineOptions{});
  const Json before = to_json(pipeline.settings());
  for (const Json& bad : {Json{{"min_brightness", "dark"}}, Json{{"max_brightness", 10}},
                          Json{{"drift_score", 1.5}}, Json{{"capture_max_per_minute", -1}},
                          Json{{"frozen_seconds", -2}}, Json{{"min_sharpness", -1}},
                          Json{{"capture_confidence_below", 2}}, Json{{"drift_window_frames", 3}},
                          Json{{"drift_colour", 1}}}) {
    try {
      pipeline.update_settings(bad);
      ADD_FAILURE() << bad.dump() << " was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
    }
    EXPECT_EQ(to_json(pipeline.settings()), before) << bad.dump();
  }
}

TEST(TwinThresholds, each_threshold_is_settable_from_yaml_and_from_its_environment_variable) {
  const Json desired = desired_properties(changed_thresholds());
  // YAML: a thresholds section with the twin's keys.
  Json yaml_thresholds = desired;
  const EdgeOptions from_yaml = edge_options_from_json(Json{{"thresholds", yaml_thresholds}});
  expect_every_key_applied(desired, from_yaml.pipeline.settings);
  // Environment: each threshold's EDGELOOP_* variable, as text.
  Json config = Json::object();
  apply_environment_overrides(config, [&](const std::string& name) -> std::optional<std::string> {
    for (const TwinThreshold& threshold : twin_thresholds()) {
      if (name == threshold.variable) return desired.at(threshold.key).dump();
    }
    return std::nullopt;
  });
  expect_every_key_applied(desired, edge_options_from_json(config).pipeline.settings);
}

}  // namespace
}  // namespace edgeloop
