// EdgeDevice's MQTT commands through a real mosquitto: thresholds changed and a model swap
// refused, each answered on the status topic while the old model keeps running.
#include <gtest/gtest.h>

#include <thread>

#include <mqtt/async_client.h>

#include "edge/fakes.h"
#include "edge/mosquitto_broker.h"
#include "edgeloop/core/error.h"
#include "edgeloop/edge/edge_device.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<LoadedModel> fake_loader(const std::filesystem::path& directory) {
  if (directory.filename().string().starts_with("bad")) throw corrupt(directory.string() + "/model.onnx: sha256 mismatch");
  return testing::make_brightness_model(directory.filename().string());
}

TEST(EdgeDeviceMqtt, commands_change_thresholds_and_a_refused_swap_keeps_the_old_model) {
  testing::TempDir directory;
  testing::MosquittoBroker broker(directory / "broker");
  broker.start();
  EdgeOptions options;
  options.bundle = "/bundles/model-a";
  options.device_id = "cam-9";
  options.jsonl_stdout = false;
  options.http.enabled = false;
  options.mqtt.broker = broker.uri();
  options.mqtt.persistence_dir = directory / "queue";
  EdgeDevice device(options, fake_loader, nullptr,
                    std::make_unique<testing::GeneratedSource>(-1, /*live=*/true, [](int64_t) { return 120; }));
  std::thread runner([&] { device.run(); });

  std::mutex mutex;
  std::vector<Json> statuses;
  mqtt::async_client cloud(broker.uri(), "test-cloud");
  cloud.set_message_callback([&](mqtt::const_message_ptr message) {
    std::lock_guard lock(mutex);
    statuses.push_back(Json::parse(message->to_string()));
  });
  cloud.connect()->wait();
  cloud.subscribe("edgeloop/cam-9/status", 1)->wait();
  // Commands are taken once the device's session has subscribed.
  for (int attempt = 0; attempt < 200 && device.metrics().counter("mqtt_published") == 0; ++attempt) std::this_thread::sleep_for(20ms);
  std::this_thread::sleep_for(300ms);
  cloud.publish("edgeloop/cam-9/commands/config", R"({"drift": {"window_frames": 321}})", 1, false)->wait();
  cloud.publish("edgeloop/cam-9/commands/config", R"({"min_brightness": 31})", 1, false)->wait();   // a twin key
  cloud.publish("edgeloop/cam-9/commands/model", R"({"bundle": "/bundles/bad-b"})", 1, false)->wait();
  auto seen = [&](const std::string& event) {
    std::lock_guard lock(mutex);
    return std::any_of(statuses.begin(), statuses.end(), [&](const Json& status) { return status.value("event", "") == event; });
  };
  for (int attempt = 0; attempt < 250 && !(seen("model_refused") && seen("command")); ++attempt) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(seen("model_refused"));
  EXPECT_EQ(device.pipeline().settings().drift.window_frames, 321);
  EXPECT_EQ(device.pipeline().settings().health.black_mean_max, 31);
  EXPECT_EQ(device.models().current()->model_id, "model-a");
  device.stop();
  runner.join();
  cloud.disconnect()->wait();
}

}  // namespace
}  // namespace edgeloop
