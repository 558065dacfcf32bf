// EdgeOptions: every setting of the device module, read from a YAML file, then overridden by
// EDGELOOP_* environment variables (as containers and IoT Edge modules are configured), then by
// command-line flags. The table of variables is kEnvironmentOverrides in edge_options.cpp and in
// docs/cli.md. Filled by edged's main; plain values, thread-safe to read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "edgeloop/core/config.h"
#include "edgeloop/edge/edge_pipeline.h"
#include "edgeloop/edge/frame_source.h"
#include "edgeloop/edge/model_watch.h"

namespace edgeloop {

struct MqttOptions {
  std::string broker;                       // e.g. tcp://host:1883 or ssl://host:8883; empty = MQTT off
  std::string client_id;                    // fixed, for the persistent session; empty = "edgeloop-<device>"
  std::string username;                     // empty = anonymous
  std::string password;
  std::filesystem::path ca_file;            // TLS: CA certificate(s) to trust (ssl:// brokers)
  std::filesystem::path certificate_file;   // TLS client certificate; empty = none
  std::filesystem::path key_file;           // TLS client key
  std::filesystem::path persistence_dir = "edgeloop-mqtt";   // on-disk queue of unsent messages
  int max_buffered = 10000;                 // messages kept while the broker is away; oldest dropped beyond
  int qos = 1;                              // 0, 1 or 2
  int keep_alive_seconds = 20;
  bool publish_predictions = true;          // predictions can be heavy; health/drift/status always go
};

struct HttpOptions {
  std::string bind = "127.0.0.1";           // address to listen on; anything else requires `token`
  bool enabled = true;                      // serve HTTP at all
  int port = 8080;                          // 0 = any free port (tests)
  std::string token;                        // bearer token; required when bind is not loopback
  int64_t max_body_bytes = 8 << 20;         // largest request body (an image for /v1/predict)
  double header_timeout_seconds = 5.0;      // a request's header must arrive within this (408 beyond)
  double body_timeout_seconds = 30.0;       // and its body within this once the header is in
  int max_connections_per_client = 64;      // one address's connections waiting for a header; oldest closed beyond
  int threads = 4;                          // workers for the API endpoints (probes have their own)
  int listen_backlog = 1024;                // connections the kernel queues before they are accepted
};

struct EdgeOptions {
  std::filesystem::path bundle;             // the bundle directory (bundle.json, model.onnx, ...)
  std::string source;                       // see open_frame_source()
  std::string engine = "auto";              // runtime engine name (runtime/engine.h), or auto: the fastest here
  bool prefer_int8 = true;                  // run model.int8.onnx when the bundle has it
  int threads = 1;                          // inference threads (0 = all cores)
  std::string device_id = "edge";           // the <device> in MQTT topics
  SourceOptions source_options;             // fps, loop, corruption (sim:)
  PipelineOptions pipeline;                 // queues, top-k, drift/health/capture thresholds
  bool jsonl_stdout = true;                 // a JSON line per frame on stdout
  std::filesystem::path jsonl_file;         // and/or to this file; empty = none
  bool jsonl_all_topics = false;            // also health/drift/captures/status lines
  MqttOptions mqtt;
  HttpOptions http;
  // Bundles pushed over HTTP (PUT /v1/bundles/ID/FILE) are kept here, the newest few, so a swap
  // can go back to the previous one (edge/bundle_inbox.h).
  std::filesystem::path bundle_store = "edgeloop-bundles";
  WatchOptions swap;                        // a new model's probation and when it is rolled back
};

// Reads a YAML/JSON tree (see docs/cli.md for the keys). Throws Error(kInvalidArgument) naming
// the key and the fix.
EdgeOptions edge_options_from_json(const Json& config);
// Overlays EDGELOOP_* variables on `config`; `lookup` returns a variable's value (getenv by default).
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;
void apply_environment_overrides(Json& config, const EnvironmentLookup& lookup);
std::optional<std::string> process_environment(const std::string& name);

}  // namespace edgeloop
