#include "edgeloop/edge/mqtt_publisher.h"

#include <chrono>

#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

constexpr const char* kTopicRoot = "edgeloop/";
constexpr const char* kCommandsLevel = "/commands/";
constexpr auto kConnectTimeout = std::chrono::seconds(5);
constexpr double kRetryInitialSeconds = 0.5;        // first-connection retry backoff
constexpr double kRetryMaxSeconds = 30.0;
constexpr int kAutoReconnectMinSeconds = 1;         // Paho's reconnection after a lost link
constexpr int kAutoReconnectMaxSeconds = 16;
constexpr auto kFlushTimeout = std::chrono::seconds(10);
constexpr auto kDisconnectTimeout = std::chrono::seconds(2);

bool is_tls_uri(const std::string& uri) { return uri.rfind("ssl://", 0) == 0 || uri.rfind("mqtts://", 0) == 0; }

}  // namespace

MqttPublisher::MqttPublisher(const MqttOptions& options, const std::string& device_id, EdgeMetrics* metrics)
    : options_(options), device_id_(device_id), topic_prefix_(kTopicRoot + device_id + "/"), metrics_(metrics) {
  if (options_.broker.empty()) throw invalid_argument("mqtt: no broker given: set mqtt.broker (e.g. tcp://host:1883)");
  if (options_.client_id.empty()) options_.client_id = "edgeloop-" + device_id;
  for (const auto& file : {options_.ca_file, options_.certificate_file, options_.key_file}) {
    if (!file.empty() && !std::filesystem::exists(file)) {
      throw not_found("mqtt: TLS file " + file.string() + " does not exist: fix mqtt.ca_file / certificate_file / key_file");
    }
  }
  std::error_code error;
  std::filesystem::create_directories(options_.persistence_dir, error);
  if (error) {
    throw io_error("mqtt: cannot create the queue folder " + options_.persistence_dir.string() + ": " + error.message());
  }
  try {
    mqtt::create_options create(MQTTVERSION_3_1_1);
    create.set_send_while_disconnected(true, /*anyTime=*/true);
    create.set_max_buffered_messages(options_.max_buffered);
    create.set_delete_oldest_messages(true);
    client_ = std::make_unique<mqtt::async_client>(options_.broker, options_.client_id, create,
                                                   options_.persistence_dir.string());
  } catch (const mqtt::exception& exception) {
    throw invalid_argument("mqtt: broker " + options_.broker + ": " + exception.what() + ": use tcp://host:port or ssl://host:port");
  }
  client_->set_connected_handler([this](const std::string&) { on_connected(); });
  client_->set_connection_lost_handler([this](const std::string& cause) {
    spdlog::warn("mqtt: connection to {} lost{}; buffering to disk", options_.broker, cause.empty() ? "" : ": " + cause);
    if (metrics_) metrics_->set_gauge("mqtt_connected", 0);
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
                     .automatic_reconnect(std::chrono::seconds(kAutoReconnectMinSeconds),
                                          std::chrono::seconds(kAutoReconnectMaxSeconds))
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
  while (true) {
    try {
      if (client_->connect(connect)->wait_for(kConnectTimeout + std::chrono::seconds(1)) && client_->is_connected()) return;
    } catch (const mqtt::exception& exception) {
      spdlog::warn("mqtt: cannot reach {}: {}; retrying in {} s", options_.broker, exception.what(), backoff);
    }
    std::unique_lock lock(stop_mutex_);
    if (stop_signal_.wait_for(lock, std::chrono::duration<double>(backoff), [this] { return stopping_; })) return;
    backoff = std::min(backoff * 2, kRetryMaxSeconds);
  }
}

void MqttPublisher::on_connected() {
  spdlog::info("mqtt: connected to {} as {}", options_.broker, options_.client_id);
  if (metrics_) metrics_->set_gauge("mqtt_connected", 1);
  try {
    // Only a subscribe here: a publish would join the buffered backlog ahead of it and, with the
    // buffer full, push out the oldest unsent message.
    client_->subscribe(topic_prefix_ + "commands/#", options_.qos);
  } catch (const mqtt::exception& exception) {
    spdlog::warn("mqtt: after connecting: {}", exception.what());
  }
}

void MqttPublisher::handle_message(const std::string& topic, const std::string& payload) {
  const std::string prefix = topic_prefix_ + (kCommandsLevel + 1);
  if (topic.rfind(prefix, 0) != 0) return;
  const std::string name = topic.substr(prefix.size());
  Json answer{{"event", "command"}, {"command", name}};
  try {
    if (!command_handler_) throw unsupported("this device takes no MQTT commands");
    Json body = payload.empty() ? Json::object() : Json::parse(payload);
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
  try {
    if (!client_->is_connected() && pending() >= static_cast<size_t>(options_.max_buffered)) {
      ++dropped_;   // Paho discards the oldest buffered message to take this one
      if (metrics_) metrics_->add_counter("mqtt_dropped");
    }
    client_->publish(mqtt::make_message(topic_for(topic), payload.dump(), options_.qos, false));
    ++published_;
    if (metrics_) {
      metrics_->add_counter("mqtt_published");
      metrics_->set_gauge("mqtt_pending", static_cast<double>(pending()));
    }
  } catch (const mqtt::exception& exception) {
    if (metrics_) metrics_->add_counter("mqtt_publish_failures");
    spdlog::warn("mqtt: publish to {} failed: {}", topic_for(topic), exception.what());
  }
}

size_t MqttPublisher::pending() const { return client_->get_pending_delivery_tokens().size(); }

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
  // Paho keeps the tokens of messages it dropped pending forever; those are not waited for.
  while (pending() > static_cast<size_t>(dropped_.load()) && client_->is_connected() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace edgeloop
