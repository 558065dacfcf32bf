#include "edgeloop/edge/mqtt_publisher.h"

#include <algorithm>
#include <chrono>

#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>

#include "edgeloop/core/error.h"
#include "edgeloop/core/input_limits.h"

namespace edgeloop {
namespace {

constexpr const char* kTopicRoot = "edgeloop/";
constexpr const char* kCommandsLevel = "/commands/";
constexpr auto kConnectTimeout = std::chrono::seconds(5);
// (Re)connection backoff. Ours, not Paho's automatic reconnect, whose intervals are whole seconds
// (1 s at least): with it the device came back 2.7-2.9 s after the broker. A refused attempt on a
// broker that is down costs a TCP round trip, so retrying every second is cheap.
constexpr double kRetryInitialSeconds = 0.25;
constexpr double kRetryMaxSeconds = 1.0;
constexpr auto kFlushTimeout = std::chrono::seconds(10);
constexpr auto kDisconnectTimeout = std::chrono::seconds(2);
constexpr auto kResendCheckInterval = std::chrono::milliseconds(500);
constexpr int kPahoQueueMargin = 1000;              // status answers beside a full backlog

bool is_tls_uri(const std::string& uri) { return uri.rfind("ssl://", 0) == 0 || uri.rfind("mqtts://", 0) == 0; }

}  // namespace

// Paho's answer to each publish: the user context carries the message's sequence number.
class MqttPublisher::DeliveryListener : public mqtt::iaction_listener {
 public:
  explicit DeliveryListener(MqttPublisher& publisher) : publisher_(publisher) {}
  void on_success(const mqtt::token& token) override { publisher_.on_delivery(sequence_of(token), true); }
  void on_failure(const mqtt::token& token) override { publisher_.on_delivery(sequence_of(token), false); }

 private:
  static int64_t sequence_of(const mqtt::token& token) {
    return static_cast<int64_t>(reinterpret_cast<intptr_t>(token.get_user_context()));
  }
  MqttPublisher& publisher_;
};

MqttPublisher::MqttPublisher(const MqttOptions& options, const std::string& device_id, EdgeMetrics* metrics)
    : options_(options),
      device_id_(device_id),
      topic_prefix_(kTopicRoot + device_id + "/"),
      metrics_(metrics),
      outbox_(options.persistence_dir, static_cast<size_t>(std::max(options.max_buffered, 1))),
      delivery_listener_(std::make_unique<DeliveryListener>(*this)) {
  if (options_.broker.empty()) throw invalid_argument("mqtt: no broker given: set mqtt.broker (e.g. tcp://host:1883)");
  if (options_.client_id.empty()) options_.client_id = "edgeloop-" + device_id;
  for (const auto& file : {options_.ca_file, options_.certificate_file, options_.key_file}) {
    if (!file.empty() && !std::filesystem::exists(file)) {
      throw not_found("mqtt: TLS file " + file.string() + " does not exist: fix mqtt.ca_file / certificate_file / key_file");
    }
  }
  try {
    // No Paho persistence: the outbox is the one on-disk queue (Paho's own file store refuses to
    // start on a stray file in its folder, paho.mqtt.c #990).
    mqtt::create_options create(MQTTVERSION_3_1_1);
    create.set_max_buffered_messages(options_.max_buffered + kPahoQueueMargin);   // Paho's command queue (100 by default)
    client_ = std::make_unique<mqtt::async_client>(options_.broker, options_.client_id, create, nullptr);
  } catch (const mqtt::exception& exception) {
    throw invalid_argument("mqtt: cannot use the broker address " + options_.broker + " (" + exception.what() +
                           "): write it as tcp://host:port or ssl://host:port");
  }
  client_->set_connected_handler([this](const std::string&) { on_connected(); });
  client_->set_connection_lost_handler([this](const std::string& cause) {
    spdlog::warn("mqtt: connection to {} lost{}; buffering to disk", options_.broker, cause.empty() ? "" : ": " + cause);
    if (metrics_) metrics_->set_gauge("mqtt_connected", 0);
    {
      std::lock_guard lock(stop_mutex_);
      link_lost_ = true;
    }
    stop_signal_.notify_all();
  });
  client_->set_message_callback([this](mqtt::const_message_ptr message) {
    handle_message(message->get_topic(), message->to_string());
  });
}

MqttPublisher::~MqttPublisher() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  if (connector_.joinable()) connector_.join();
  try {
    if (client_->is_connected()) {
      client_->publish(mqtt::make_message(topic_for(EdgeTopic::kStatus), R"({"event":"offline"})", options_.qos, false))
          ->wait_for(kDisconnectTimeout);
      client_->disconnect()->wait_for(kDisconnectTimeout);
    }
  } catch (const mqtt::exception& exception) {
    spdlog::warn("mqtt: disconnect: {}", exception.what());
  }
}

void MqttPublisher::set_command_handler(MqttCommandHandler handler) { command_handler_ = std::move(handler); }

std::string MqttPublisher::topic_for(EdgeTopic topic) const { return topic_prefix_ + to_string(topic); }

void MqttPublisher::start() { connector_ = std::thread([this] { connect_loop(); }); }

void MqttPublisher::connect_loop() {
  auto connect = mqtt::connect_options_builder()
                     .clean_session(false)
                     .keep_alive_interval(std::chrono::seconds(options_.keep_alive_seconds))
                     .connect_timeout(kConnectTimeout)
                     .will(mqtt::message(topic_for(EdgeTopic::kStatus), R"({"event":"offline"})", options_.qos, false))
                     .finalize();
  if (!options_.username.empty()) {
    connect.set_user_name(options_.username);
    connect.set_password(options_.password);
  }
  if (is_tls_uri(options_.broker) || !options_.ca_file.empty()) {
    mqtt::ssl_options tls;
    if (!options_.ca_file.empty()) tls.set_trust_store(options_.ca_file.string());
    if (!options_.certificate_file.empty()) tls.set_key_store(options_.certificate_file.string());
    if (!options_.key_file.empty()) tls.set_private_key(options_.key_file.string());
    tls.set_enable_server_cert_auth(true);
    connect.set_ssl(tls);
  }
  double backoff = kRetryInitialSeconds;
  bool first_of_outage = true;
  while (true) {
    if (!client_->is_connected()) {   // not yet, or the link was lost: try at once, then back off
      {
        std::lock_guard lock(stop_mutex_);
        if (stopping_) return;
        link_lost_ = false;
      }
      if (try_connect(connect, first_of_outage)) {
        backoff = kRetryInitialSeconds;
        first_of_outage = true;
        continue;
      }
      first_of_outage = false;
      if (wait_or_stop(backoff)) return;
      backoff = std::min(backoff * 2, kRetryMaxSeconds);
      continue;
    }
    // Connected: this thread sends the backlog after each (re)connection. Not from Paho's
    // connected callback, where a publish is refused as not connected yet.
    {
      std::unique_lock lock(stop_mutex_);
      stop_signal_.wait_for(lock, kResendCheckInterval,
                            [this] { return stopping_ || resend_requested_ || link_lost_; });
      if (stopping_) return;
      if (!(resend_requested_ || retry_requested_) || !client_->is_connected()) continue;
      if (resend_requested_) {
        // The whole backlog again, oldest first: what was in flight when the link went may or
        // may not have reached the broker, and Paho does not say; consumers drop duplicates by "seq".
        std::lock_guard in_flight_lock(in_flight_mutex_);
        in_flight_.clear();
      }
      resend_requested_ = retry_requested_ = false;
    }
    const std::vector<OutboxMessage> backlog = outbox_.backlog();
    if (!backlog.empty()) spdlog::info("mqtt: sending {} unacknowledged message(s) again", backlog.size());
    for (const OutboxMessage& message : backlog) send(message);
  }
}

bool MqttPublisher::try_connect(const mqtt::connect_options& connect, bool first_of_outage) {
  try {
    return client_->connect(connect)->wait_for(kConnectTimeout + std::chrono::seconds(1)) && client_->is_connected();
  } catch (const mqtt::exception& exception) {
    if (first_of_outage) {
      spdlog::warn("mqtt: cannot reach {}: {}; retrying every {} s at most", options_.broker, exception.what(),
                   kRetryMaxSeconds);
    } else {
      spdlog::debug("mqtt: cannot reach {}: {}", options_.broker, exception.what());
    }
    return false;
  }
}

bool MqttPublisher::wait_or_stop(double seconds) {
  std::unique_lock lock(stop_mutex_);
  return stop_signal_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stopping_; });
}

void MqttPublisher::on_connected() {
  spdlog::info("mqtt: connected to {} as {}", options_.broker, options_.client_id);
  if (metrics_) metrics_->set_gauge("mqtt_connected", 1);
  try {
    client_->subscribe(topic_prefix_ + "commands/#", options_.qos);
  } catch (const mqtt::exception& exception) {
    spdlog::warn("mqtt: after connecting: {}", exception.what());
  }
  {
    std::lock_guard lock(stop_mutex_);
    resend_requested_ = true;
  }
  stop_signal_.notify_all();
}

void MqttPublisher::send(const OutboxMessage& message) {
  {
    std::lock_guard lock(in_flight_mutex_);
    if (!in_flight_.insert(message.sequence).second) return;
  }
  try {
    client_->publish(mqtt::make_message(message.topic, message.payload, options_.qos, false),
                     reinterpret_cast<void*>(static_cast<intptr_t>(message.sequence)), *delivery_listener_);
  } catch (const mqtt::exception& exception) {
    spdlog::debug("mqtt: message {} not sent now ({}); it stays in the queue", message.sequence, exception.what());
    {
      std::lock_guard lock(in_flight_mutex_);   // it stays in the outbox: sent at the next retry or connection
      in_flight_.erase(message.sequence);
    }
    std::lock_guard lock(stop_mutex_);
    retry_requested_ = true;
  }
}

void MqttPublisher::on_delivery(int64_t sequence, bool acknowledged) {
  {
    std::lock_guard lock(in_flight_mutex_);
    in_flight_.erase(sequence);
  }
  if (acknowledged) {
    outbox_.remove(sequence);
    if (metrics_) metrics_->set_gauge("mqtt_pending", static_cast<double>(outbox_.size()));
    return;
  }
  // Failed while connected (a reconnection raced with it): send it again now rather than at the
  // next reconnection. While disconnected it waits in the outbox for on_connected().
  if (client_->is_connected()) {
    if (const auto message = outbox_.find(sequence)) send(*message);
  }
}

void MqttPublisher::handle_message(const std::string& topic, const std::string& payload) {
  const std::string prefix = topic_prefix_ + (kCommandsLevel + 1);
  if (topic.rfind(prefix, 0) != 0) return;
  const std::string name = topic.substr(prefix.size());
  Json answer{{"event", "command"}, {"command", name}};
  try {
    if (!command_handler_) throw unsupported("this device takes no MQTT commands");
    Json body = payload.empty() ? Json::object() : parse_json_limited(payload, "mqtt command " + name);
    answer["result"] = command_handler_(name, body);
    answer["ok"] = true;
  } catch (const std::exception& error) {
    answer["ok"] = false;
    answer["error"] = error.what();
  }
  publish(EdgeTopic::kStatus, answer);
}

void MqttPublisher::publish(EdgeTopic topic, const Json& payload) {
  if (topic == EdgeTopic::kPredictions && !options_.publish_predictions) return;
  OutboxMessage message;
  const int64_t dropped_before = outbox_.dropped();
  try {
    message = outbox_.add(topic_for(topic), payload);
  } catch (const Error& error) {
    if (metrics_) metrics_->add_counter("mqtt_publish_failures");
    spdlog::warn("mqtt: {}", error.what());
    return;
  }
  ++published_;
  if (metrics_) {
    metrics_->add_counter("mqtt_published");
    if (outbox_.dropped() > dropped_before) metrics_->add_counter("mqtt_dropped", outbox_.dropped() - dropped_before);
    metrics_->set_gauge("mqtt_pending", static_cast<double>(outbox_.size()));
  }
  if (client_->is_connected()) send(message);
}

size_t MqttPublisher::pending() const { return outbox_.size(); }

bool MqttPublisher::connected() const { return client_->is_connected(); }

bool MqttPublisher::wait_until_connected(double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!client_->is_connected()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void MqttPublisher::flush() {
  const auto deadline = std::chrono::steady_clock::now() + kFlushTimeout;
  while (pending() > 0 && client_->is_connected() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace edgeloop
