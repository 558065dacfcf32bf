#include "edgeloop/edge/edge_options.h"

#include <cstdlib>
#include <type_traits>

#include "edgeloop/core/error.h"
#include "edgeloop/core/input_limits.h"
#include "edgeloop/edge/twin_thresholds.h"

namespace edgeloop {
namespace {

struct EnvironmentOverride {
  const char* variable;
  const char* pointer;   // JSON pointer into the config tree
};

// Every variable edged reads, and the key it overrides.
constexpr EnvironmentOverride kEnvironmentOverrides[] = {
    {"EDGELOOP_BUNDLE", "/bundle"},
    {"EDGELOOP_SOURCE", "/source"},
    {"EDGELOOP_ENGINE", "/engine"},
    {"EDGELOOP_THREADS", "/threads"},
    {"EDGELOOP_DEVICE_ID", "/device_id"},
    {"EDGELOOP_FPS", "/source_options/fps"},
    {"EDGELOOP_JSONL_FILE", "/jsonl/file"},
    {"EDGELOOP_MQTT_BROKER", "/mqtt/broker"},
    {"EDGELOOP_MQTT_USERNAME", "/mqtt/username"},
    {"EDGELOOP_MQTT_PASSWORD", "/mqtt/password"},
    {"EDGELOOP_MQTT_CA_FILE", "/mqtt/ca_file"},
    {"EDGELOOP_MQTT_PERSISTENCE_DIR", "/mqtt/persistence_dir"},
    {"EDGELOOP_HTTP_BIND", "/http/bind"},
    {"EDGELOOP_HTTP_PORT", "/http/port"},
    {"EDGELOOP_HTTP_TOKEN", "/http/token"},
    {"EDGELOOP_CAPTURE_DIR", "/capture/directory"},
    {"EDGELOOP_CAPTURE_MAX_BYTES", "/capture/max_bytes"},
    {"EDGELOOP_DRIFT_ALPHA", "/drift/family_alpha"},
    {"EDGELOOP_BUNDLE_STORE", "/bundle_store"},
};
// ...and each twin threshold's variable (edge/twin_thresholds.h) sets /thresholds/<twin key>.

template <typename Value>
void read_into(const Json& section, const char* key, Value& target, const std::string& where) {
  if (!section.contains(key)) return;
  if constexpr (std::is_unsigned_v<Value> && !std::is_same_v<Value, bool>) {
    // nlohmann's get<size_t>() of -1.5 is undefined behaviour: refuse a negative count first.
    if (section.at(key).is_number() && section.at(key).get<double>() < 0) {
      throw invalid_argument("edge config: " + where + key + " must be 0 or more (" + json_line(section.at(key)) + ")");
    }
  }
  try {
    target = section.at(key).get<Value>();
  } catch (const nlohmann::json::exception&) {
    throw invalid_argument("edge config: " + where + key + " has the wrong type (" + json_line(section.at(key)) + ")");
  }
}

void read_path(const Json& section, const char* key, std::filesystem::path& target, const std::string& where) {
  std::string text = target.string();
  read_into(section, key, text, where);
  target = text;
}

}  // namespace

std::optional<std::string> process_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

void apply_environment_overrides(Json& config, const EnvironmentLookup& lookup) {
  if (!config.is_object()) config = Json::object();
  auto apply = [&](const std::string& variable, const std::string& pointer) {
    std::optional<std::string> value = lookup(variable);
    if (!value) return;
    // A scalar as YAML reads it: "8080" a number, "true" a boolean, anything else the text as given.
    Json parsed = *value;
    try {
      Json scalar = yaml_to_json("value: " + *value, variable).at("value");
      if (scalar.is_number() || scalar.is_boolean()) parsed = scalar;
    } catch (const std::exception&) {
      // not a plain scalar: keep the text
    }
    config[Json::json_pointer(pointer)] = parsed;
  };
  for (const EnvironmentOverride& entry : kEnvironmentOverrides) apply(entry.variable, entry.pointer);
  for (const TwinThreshold& threshold : twin_thresholds()) apply(threshold.variable, std::string("/thresholds/") + threshold.key);
}

// Over 80 lines on purpose: one read per configuration key, section by section, so the function
// reads as the list of keys a device accepts; each key's type and bounds check is in read_into.
EdgeOptions edge_options_from_json(const Json& config) {
  EdgeOptions options;
  if (config.is_null()) return options;
  if (!config.is_object()) throw invalid_argument("edge config: the top level must be a mapping of keys");
  read_path(config, "bundle", options.bundle, "");
  read_into(config, "source", options.source, "");
  read_into(config, "engine", options.engine, "");
  read_into(config, "prefer_int8", options.prefer_int8, "");
  read_into(config, "threads", options.threads, "");
  read_into(config, "device_id", options.device_id, "");
  if (config.contains("source_options")) {
    const Json& source = config["source_options"];
    read_into(source, "fps", options.source_options.fps, "source_options.");
    read_into(source, "loop", options.source_options.loop, "source_options.");
    read_into(source, "reconnect_initial_seconds", options.source_options.reconnect_initial_seconds, "source_options.");
    read_into(source, "reconnect_max_seconds", options.source_options.reconnect_max_seconds, "source_options.");
    std::string corruption;
    read_into(source, "corruption", corruption, "source_options.");
    options.source_options.corruption = parse_frame_corruption(corruption);
  }
  if (config.contains("pipeline")) {
    const Json& pipeline = config["pipeline"];
    read_into(pipeline, "queue_capacity", options.pipeline.queue_capacity, "pipeline.");
    read_into(pipeline, "top_k", options.pipeline.top_k, "pipeline.");
    read_into(pipeline, "drift_enabled", options.pipeline.drift_enabled, "pipeline.");
    read_into(pipeline, "health_enabled", options.pipeline.health_enabled, "pipeline.");
  }
  options.pipeline.settings.drift = drift_options_from_json(config.value("drift", Json::object()));
  options.pipeline.settings.health = camera_health_options_from_json(config.value("health", Json::object()));
  options.pipeline.settings.capture = capture_options_from_json(config.value("capture", Json::object()));
  // The twin's flat threshold keys, over the sections (as PUT /v1/config applies them).
  if (config.contains("thresholds")) {
    options.pipeline.settings = merge_monitor_settings(options.pipeline.settings, config["thresholds"]);
  }
  if (config.contains("jsonl")) {
    const Json& jsonl = config["jsonl"];
    read_into(jsonl, "stdout", options.jsonl_stdout, "jsonl.");
    read_path(jsonl, "file", options.jsonl_file, "jsonl.");
    read_into(jsonl, "all_topics", options.jsonl_all_topics, "jsonl.");
  }
  if (config.contains("mqtt")) {
    const Json& mqtt = config["mqtt"];
    read_into(mqtt, "broker", options.mqtt.broker, "mqtt.");
    read_into(mqtt, "client_id", options.mqtt.client_id, "mqtt.");
    read_into(mqtt, "username", options.mqtt.username, "mqtt.");
    read_into(mqtt, "password", options.mqtt.password, "mqtt.");
    read_path(mqtt, "ca_file", options.mqtt.ca_file, "mqtt.");
    read_path(mqtt, "certificate_file", options.mqtt.certificate_file, "mqtt.");
    read_path(mqtt, "key_file", options.mqtt.key_file, "mqtt.");
    read_path(mqtt, "persistence_dir", options.mqtt.persistence_dir, "mqtt.");
    read_into(mqtt, "max_buffered", options.mqtt.max_buffered, "mqtt.");
    read_into(mqtt, "qos", options.mqtt.qos, "mqtt.");
    read_into(mqtt, "keep_alive_seconds", options.mqtt.keep_alive_seconds, "mqtt.");
    read_into(mqtt, "publish_predictions", options.mqtt.publish_predictions, "mqtt.");
    if (options.mqtt.qos < 0 || options.mqtt.qos > 2) throw invalid_argument("edge config: mqtt.qos must be 0, 1 or 2");
    if (options.mqtt.max_buffered < 1) throw invalid_argument("edge config: mqtt.max_buffered must be at least 1");
  }
  if (config.contains("http")) {
    const Json& http = config["http"];
    read_into(http, "enabled", options.http.enabled, "http.");
    read_into(http, "bind", options.http.bind, "http.");
    read_into(http, "port", options.http.port, "http.");
    read_into(http, "token", options.http.token, "http.");
    read_into(http, "max_body_bytes", options.http.max_body_bytes, "http.");
    read_into(http, "header_timeout_seconds", options.http.header_timeout_seconds, "http.");
    read_into(http, "body_timeout_seconds", options.http.body_timeout_seconds, "http.");
    read_into(http, "max_connections_per_client", options.http.max_connections_per_client, "http.");
    read_into(http, "threads", options.http.threads, "http.");
    read_into(http, "listen_backlog", options.http.listen_backlog, "http.");
    if (!(options.http.header_timeout_seconds > 0) || !(options.http.body_timeout_seconds > 0)) {
      throw invalid_argument("edge config: http.header_timeout_seconds and http.body_timeout_seconds must be above 0");
    }
    if (options.http.max_connections_per_client < 1 || options.http.threads < 1 || options.http.listen_backlog < 1) {
      throw invalid_argument("edge config: http.max_connections_per_client, http.threads and http.listen_backlog must be at least 1");
    }
    if (options.http.port < 0 || options.http.port > 65535) throw invalid_argument("edge config: http.port must be 0..65535");
  }
  read_path(config, "bundle_store", options.bundle_store, "");
  if (config.contains("swap")) {
    const Json& swap = config["swap"];
    WatchOptions& watch = options.swap;
    read_into(swap, "probation_frames", watch.probation_frames, "swap.");
    read_into(swap, "max_engine_errors", watch.max_engine_errors, "swap.");
    read_into(swap, "max_latency_ratio", watch.max_latency_ratio, "swap.");
    read_into(swap, "min_confidence_ratio", watch.min_confidence_ratio, "swap.");
    read_into(swap, "collapse_share", watch.collapse_share, "swap.");
    read_into(swap, "collapse_baseline_share", watch.collapse_baseline_share, "swap.");
    read_into(swap, "min_baseline_frames", watch.min_baseline_frames, "swap.");
    if (watch.probation_frames < 0 || watch.probation_frames > 100000) {
      throw invalid_argument("edge config: swap.probation_frames must be 0..100000 (0: no probation)");
    }
    if (watch.max_engine_errors < 0 || watch.max_latency_ratio < 0 || watch.min_confidence_ratio < 0 ||
        watch.min_baseline_frames < 0 || !(watch.collapse_share > 0 && watch.collapse_share <= 1)) {
      throw invalid_argument("edge config: swap limits must be >= 0, and swap.collapse_share in (0, 1]");
    }
  }
  if (options.threads < 0) throw invalid_argument("edge config: threads must be >= 0");
  return options;
}

}  // namespace edgeloop
