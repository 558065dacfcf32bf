// MqttPublisher: the device's MQTT link (Eclipse Paho C++). Publishes each pipeline topic to
// edgeloop/<device>/<topic> at the configured QoS (1 by default) with a persistent session. Every
// message is numbered ("seq") and stored in the on-disk MqttOutbox before it is sent, and removed
// when the broker acknowledges it: messages published while the broker is away, or not yet
// acknowledged when the device was killed, are sent again on reconnection or at the next start
// (up to max_buffered; beyond that the oldest are dropped and counted). Consumers drop duplicates
// by "seq". The connector thread (re)connects: at once when the link is lost, then every 0.25 s
// doubling to 1 s, so the device is back within about a second of the broker's return.
// Subscribes to edgeloop/<device>/commands/<name> and hands each command to a handler (config,
// model, ...); the answer is published on `status`, and so is {"event":"offline"} (also as the
// last will). TLS and user/password from MqttOptions.
// Thread-safe: publish() from any thread; the handler runs on Paho's callback thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "edgeloop/edge/edge_metrics.h"
#include "edgeloop/edge/edge_options.h"
#include "edgeloop/edge/event_sink.h"
#include "edgeloop/edge/mqtt_outbox.h"

namespace mqtt {
class async_client;
class connect_options;
}

namespace edgeloop {

// Runs a command: `name` is the last topic level, `payload` its JSON body. Returns the result to
// publish; throws Error to report a refusal (published with its message).
using MqttCommandHandler = std::function<Json(const std::string& name, const Json& payload)>;

class MqttPublisher : public EventSink {
 public:
  // Throws Error(kInvalidArgument) when the broker URI or TLS files are unusable, Error(kIo) when
  // the queue folder (mqtt.persistence_dir) can be neither created nor cleaned.
  MqttPublisher(const MqttOptions& options, const std::string& device_id, EdgeMetrics* metrics = nullptr);
  ~MqttPublisher() override;   // publishes "offline", disconnects, keeps unsent messages on disk

  void set_command_handler(MqttCommandHandler handler);   // before start()
  void start();   // connects in the background, retrying until the broker answers

  void publish(EdgeTopic topic, const Json& payload) override;
  void flush() override;                         // waits (bounded) until the broker has everything
  bool wait_until_connected(double seconds);     // tests and startup
  bool connected() const;
  int64_t dropped() const { return outbox_.dropped(); }   // oldest buffered messages discarded
  int64_t published() const { return published_; }
  size_t pending() const;                        // messages not yet acknowledged (the outbox)
  std::string topic_for(EdgeTopic topic) const;  // edgeloop/<device>/<topic>

 private:
  class DeliveryListener;
  void connect_loop();
  // One attempt; true when connected. Warns only on the first failure of an outage.
  bool try_connect(const mqtt::connect_options& connect, bool first_of_outage);
  bool wait_or_stop(double seconds);              // true when stopping
  void on_connected();
  void handle_message(const std::string& topic, const std::string& payload);
  void send(const OutboxMessage& message);       // hands a stored message to Paho unless already in flight
  void on_delivery(int64_t sequence, bool acknowledged);

  MqttOptions options_;
  std::string device_id_;
  std::string topic_prefix_;
  EdgeMetrics* metrics_;
  MqttCommandHandler command_handler_;
  MqttOutbox outbox_;
  std::unique_ptr<DeliveryListener> delivery_listener_;
  std::mutex in_flight_mutex_;
  std::set<int64_t> in_flight_;                  // sequence numbers handed to Paho and not yet answered
  std::unique_ptr<mqtt::async_client> client_;
  std::thread connector_;
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  bool resend_requested_ = false;                // set on each (re)connection; the connector thread resends
  bool retry_requested_ = false;                 // a send failed: the connector thread sends what is not in flight
  bool link_lost_ = false;                       // Paho lost the link: the connector thread reconnects
  std::atomic<int64_t> published_{0};
};

}  // namespace edgeloop
