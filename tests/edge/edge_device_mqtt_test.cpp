// EdgeDevice's MQTT commands through a real mosquitto: thresholds changed and a model swap
// refused, each answered on the status topic while the old model keeps running; a hostile body
// refused while the device keeps serving.
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

// A device on an endless generated stream with MQTT to a real broker, and a cloud client that
// publishes commands and records what the device says on its status topic.
class EdgeDeviceMqttTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    EdgeOptions options;
    options.bundle = "/bundles/model-a";
    options.device_id = "cam-9";
    options.jsonl_stdout = false;
    options.http.enabled = false;
    options.mqtt.broker = broker_.uri();
    options.mqtt.persistence_dir = directory_ / "queue";
    device_ = std::make_unique<EdgeDevice>(options, fake_loader, nullptr,
                                           std::make_unique<testing::GeneratedSource>(-1, /*live=*/true, [](int64_t) { return 120; }));
    runner_ = std::thread([this] { device_->run(); });
    cloud_.set_message_callback([this](mqtt::const_message_ptr message) {
      const Json status = Json::parse(message->to_string());
      std::lock_guard lock(mutex_);
      statuses_.push_back(status);
    });
    cloud_.connect()->wait();
    cloud_.subscribe("edgeloop/cam-9/status", 1)->wait();
    // Commands are taken once the device's session has subscribed.
    for (int attempt = 0; attempt < 200 && device_->metrics().counter("mqtt_published") == 0; ++attempt) std::this_thread::sleep_for(20ms);
    std::this_thread::sleep_for(300ms);
  }
  void TearDown() override {
    device_->stop();
    runner_.join();
    cloud_.disconnect()->wait();
  }
  void command(const std::string& name, const std::string& body) {
    cloud_.publish("edgeloop/cam-9/commands/" + name, body, 1, false)->wait();
  }
  // The status messages with event `event`, once there are `count` of them (or 5 s have passed).
  std::vector<Json> wait_for(const std::string& event, size_t count) {
    std::vector<Json> found;
    for (int attempt = 0; attempt < 250; ++attempt) {
      found.clear();
      {
        std::lock_guard lock(mutex_);
        for (const Json& status : statuses_) {
          if (status.value("event", "") == event) found.push_back(status);
        }
      }
      if (found.size() >= count) break;
      std::this_thread::sleep_for(20ms);
    }
    return found;
  }

  testing::TempDir directory_;
  testing::MosquittoBroker broker_{directory_ / "broker"};
  std::unique_ptr<EdgeDevice> device_;
  std::thread runner_;
  mqtt::async_client cloud_{broker_.uri(), "test-cloud"};
  std::mutex mutex_;
  std::vector<Json> statuses_;
};

TEST_F(EdgeDeviceMqttTest, commands_change_thresholds_and_a_refused_swap_keeps_the_old_model) {
  command("config", R"({"drift": {"window_frames": 321}})");
  command("config", R"({"min_brightness": 31})");   // a twin key
  command("model", R"({"bundle": "/bundles/bad-b"})");
  EXPECT_EQ(wait_for("model_refused", 1).size(), 1u);
  EXPECT_EQ(wait_for("command", 3).size(), 3u);
  EXPECT_EQ(device_->pipeline().settings().drift.window_frames, 321);
  EXPECT_EQ(device_->pipeline().settings().health.black_mean_max, 31);
  EXPECT_EQ(device_->models().current()->model_id, "model-a");
}

TEST_F(EdgeDeviceMqttTest, a_config_command_nested_sixty_thousand_deep_is_refused_and_the_device_keeps_serving) {
  constexpr int kHostileDepth = 60000;
  std::string hostile;
  for (int level = 0; level < kHostileDepth; ++level) hostile += "{\"a\":";
  hostile += "1" + std::string(kHostileDepth, '}');
  command("config", hostile);
  command("config", R"({"drift": {"window_frames": 333}})");
  const std::vector<Json> answers = wait_for("command", 2);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_FALSE(answers[0]["ok"].get<bool>());
  EXPECT_NE(answers[0]["error"].get<std::string>().find("nested deeper than"), std::string::npos);
  EXPECT_TRUE(answers[1]["ok"].get<bool>());
  EXPECT_EQ(device_->pipeline().settings().drift.window_frames, 333);
  const int64_t frames_before = device_->metrics().frames();
  std::this_thread::sleep_for(100ms);
  EXPECT_GT(device_->metrics().frames(), frames_before);
}

}  // namespace
}  // namespace edgeloop
