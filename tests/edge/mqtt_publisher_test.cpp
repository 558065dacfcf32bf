#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include <mqtt/async_client.h>

#include "edge/mosquitto_broker.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/edge/mqtt_publisher.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

using namespace std::chrono_literals;

// A cloud-side subscriber with a persistent session, so QoS 1 messages queued for it at the
// broker survive the broker's restart; it records every payload it receives.
class Subscriber {
 public:
  Subscriber(const std::string& uri, const std::string& topic) : client_(uri, "test-subscriber"), topic_(topic) {
    client_.set_message_callback([this](mqtt::const_message_ptr message) {
      std::lock_guard lock(mutex_);
      payloads_.push_back(message->to_string());
    });
    client_.set_connected_handler([this](const std::string&) { client_.subscribe(topic_, 1); });
    auto options = mqtt::connect_options_builder().clean_session(false).automatic_reconnect(200ms, 1s).finalize();
    client_.connect(options)->wait();
    client_.subscribe(topic_, 1)->wait();
  }
  ~Subscriber() {
    try {
      client_.disconnect()->wait_for(1s);
    } catch (const mqtt::exception&) {
    }
  }
  std::vector<Json> received() {
    std::lock_guard lock(mutex_);
    std::vector<Json> values;
    for (const std::string& payload : payloads_) values.push_back(Json::parse(payload));
    return values;
  }
  // Waits until `predicate(received())` holds or `timeout` passes.
  template <typename Predicate>
  bool wait_for(Predicate predicate, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate(received())) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }

 private:
  mqtt::async_client client_;
  std::string topic_;
  std::mutex mutex_;
  std::vector<std::string> payloads_;
};

std::set<int64_t> frames_in(const std::vector<Json>& messages) {
  std::set<int64_t> frames;
  for (const Json& message : messages) {
    if (message.contains("frame")) frames.insert(message["frame"].get<int64_t>());
  }
  return frames;
}

MqttOptions options_for(const testing::MosquittoBroker& broker, const testing::TempDir& directory) {
  MqttOptions options;
  options.broker = broker.uri();
  options.persistence_dir = directory / "queue";
  return options;
}

TEST(MqttPublisher, publishes_each_topic_under_the_device_with_qos_1) {
  testing::TempDir directory;
  testing::MosquittoBroker broker(directory / "broker");
  broker.start();
  Subscriber subscriber(broker.uri(), "edgeloop/cam-1/#");
  MqttPublisher publisher(options_for(broker, directory), "cam-1");
  publisher.start();
  ASSERT_TRUE(publisher.wait_until_connected(10));
  publisher.publish(EdgeTopic::kPredictions, Json{{"frame", 1}, {"label", "shirt"}});
  publisher.publish(EdgeTopic::kDrift, Json{{"frame", 2}, {"drift", true}});
  publisher.publish(EdgeTopic::kHealth, Json{{"frame", 3}, {"state", "ok"}});
  EXPECT_TRUE(subscriber.wait_for([](const std::vector<Json>& got) { return frames_in(got).size() == 3; }, 5s));
  EXPECT_EQ(publisher.topic_for(EdgeTopic::kCaptures), "edgeloop/cam-1/captures");
}

TEST(MqttPublisher, a_broker_restart_mid_stream_loses_no_message) {
  constexpr int kMessages = 300;
  testing::TempDir directory;
  testing::MosquittoBroker broker(directory / "broker");
  broker.start();
  auto subscriber = std::make_unique<Subscriber>(broker.uri(), "edgeloop/cam-2/predictions");
  MqttPublisher publisher(options_for(broker, directory), "cam-2");
  publisher.start();
  ASSERT_TRUE(publisher.wait_until_connected(10));
  for (int frame = 0; frame < kMessages; ++frame) {
    if (frame == kMessages / 3) broker.stop();            // the broker goes away mid-stream
    if (frame == 2 * kMessages / 3) broker.start();       // and comes back on the same port
    publisher.publish(EdgeTopic::kPredictions, Json{{"frame", frame}});
    std::this_thread::sleep_for(2ms);
  }
  ASSERT_TRUE(publisher.wait_until_connected(20));
  publisher.flush();
  EXPECT_TRUE(subscriber->wait_for([](const std::vector<Json>& got) { return frames_in(got).size() == kMessages; }, 20s))
      << "received " << frames_in(subscriber->received()).size() << " of " << kMessages;
  EXPECT_EQ(publisher.dropped(), 0);
}

TEST(MqttPublisher, the_backlog_of_a_killed_device_is_sent_at_the_next_start_despite_stray_files) {
  constexpr int kMessages = 5;
  testing::TempDir directory;
  testing::MosquittoBroker broker(directory / "broker");
  broker.start();
  Subscriber subscriber(broker.uri(), "edgeloop/cam-5/predictions");
  {
    // What a device killed while the broker was away leaves: stored, never acknowledged.
    MqttOutbox previous_run(directory / "queue", 100);
    for (int frame = 0; frame < kMessages; ++frame) previous_run.add("edgeloop/cam-5/predictions", Json{{"frame", frame}});
  }
  write_file_atomically(directory / "queue" / "notes.txt", std::string_view("left by an operator"));
  MqttPublisher publisher(options_for(broker, directory), "cam-5");
  publisher.start();
  ASSERT_TRUE(publisher.wait_until_connected(10));
  publisher.publish(EdgeTopic::kPredictions, Json{{"frame", kMessages}});
  EXPECT_TRUE(subscriber.wait_for([](const std::vector<Json>& got) { return frames_in(got).size() == kMessages + 1; }, 10s))
      << "received " << frames_in(subscriber.received()).size();
  std::set<int64_t> sequences;
  for (const Json& message : subscriber.received()) sequences.insert(message["seq"].get<int64_t>());
  EXPECT_EQ(sequences.size(), static_cast<size_t>(kMessages + 1));
  EXPECT_EQ(*sequences.rbegin() - *sequences.begin(), kMessages);   // consecutive numbers, none skipped
  publisher.flush();
  EXPECT_EQ(publisher.pending(), 0u);
}

TEST(MqttPublisher, a_full_queue_drops_the_oldest_and_counts_them) {
  testing::TempDir directory;
  testing::MosquittoBroker broker(directory / "broker");
  broker.start();
  Subscriber subscriber(broker.uri(), "edgeloop/cam-3/predictions");   // its session outlives the outage
  broker.stop();
  MqttOptions options = options_for(broker, directory);
  options.max_buffered = 10;
  MqttPublisher publisher(options, "cam-3");
  publisher.start();
  for (int frame = 0; frame < 25; ++frame) publisher.publish(EdgeTopic::kPredictions, Json{{"frame", frame}});
  EXPECT_EQ(publisher.dropped(), 15);
  broker.start();
  ASSERT_TRUE(publisher.wait_until_connected(20));
  // The newest ten arrive; the oldest fifteen were the ones dropped.
  EXPECT_TRUE(subscriber.wait_for([](const std::vector<Json>& got) { return frames_in(got).size() >= 10; }, 10s))
      << "received " << frames_in(subscriber.received()).size();
  std::set<int64_t> frames = frames_in(subscriber.received());
  EXPECT_EQ(frames.size(), 10u);
  EXPECT_EQ(frames.count(24), 1u);
  EXPECT_EQ(frames.count(14), 0u);
}

TEST(MqttPublisher, commands_reach_the_handler_and_answers_are_published) {
  testing::TempDir directory;
  testing::MosquittoBroker broker(directory / "broker");
  broker.start();
  Subscriber subscriber(broker.uri(), "edgeloop/cam-4/status");
  MqttPublisher publisher(options_for(broker, directory), "cam-4");
  Json applied;
  publisher.set_command_handler([&](const std::string& name, const Json& payload) -> Json {
    if (name != "config") throw invalid_argument("unknown command " + name);
    applied = payload;
    return Json{{"applied", true}};
  });
  publisher.start();
  ASSERT_TRUE(publisher.wait_until_connected(10));
  mqtt::async_client cloud(broker.uri(), "test-cloud");
  cloud.connect()->wait();
  cloud.publish("edgeloop/cam-4/commands/config", R"({"drift": {"window_frames": 300}})", 1, false)->wait();
  cloud.publish("edgeloop/cam-4/commands/reboot", "{}", 1, false)->wait();
  auto answered = [](const std::vector<Json>& got) {
    int answers = 0;
    for (const Json& message : got) answers += message.value("event", "") == "command";
    return answers == 2;
  };
  ASSERT_TRUE(subscriber.wait_for(answered, 5s));
  EXPECT_EQ(applied["drift"]["window_frames"], 300);
  for (const Json& message : subscriber.received()) {
    if (message.value("command", "") == "config") EXPECT_TRUE(message["ok"].get<bool>());
    if (message.value("command", "") == "reboot") EXPECT_FALSE(message["ok"].get<bool>());
  }
  cloud.disconnect()->wait();
}

}  // namespace
}  // namespace edgeloop
