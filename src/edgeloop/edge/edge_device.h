// EdgeDevice: the device module assembled — the model slot and swapper, the pipeline, the JSONL,
// MQTT and HTTP outputs, and the commands that reach it (HTTP, MQTT, SIGHUP via reload_model()).
// edged's main builds one from EdgeOptions and runs it; tests build one with a fake model loader.
// run() blocks on the calling thread; stop() and reload_model() are thread-safe.
#pragma once

#include <fstream>
#include <memory>
#include <ostream>

#include "edgeloop/edge/bundle_inbox.h"
#include "edgeloop/edge/edge_metrics.h"
#include "edgeloop/edge/edge_options.h"
#include "edgeloop/edge/edge_pipeline.h"
#include "edgeloop/edge/frame_source.h"
#include "edgeloop/edge/http_server.h"
#include "edgeloop/edge/loaded_model.h"
#include "edgeloop/edge/model_swapper.h"
#include "edgeloop/edge/mqtt_publisher.h"

namespace edgeloop {

class EdgeDevice {
 public:
  // Loads the first model with `loader` (throws Error naming what is wrong with the bundle),
  // opens `source` (or options.source when null), starts HTTP and MQTT when configured.
  // `jsonl_stdout`: the stream for per-frame lines when options.jsonl_stdout (edged passes std::cout).
  EdgeDevice(const EdgeOptions& options, ModelLoader loader, std::ostream* jsonl_stdout,
             std::unique_ptr<FrameSource> source = nullptr, Clock& clock = system_clock());
  ~EdgeDevice();

  PipelineSummary run();
  void stop();
  void reload_model();   // SIGHUP: swap to options.bundle again (after it was replaced on disk)

  HttpHandlers http_handlers();
  int http_port() const { return http_ ? http_->port() : 0; }
  EdgeMetrics& metrics() { return metrics_; }
  ModelSlot& models() { return *slot_; }
  ModelSwapper& swapper() { return *swapper_; }
  EdgePipeline& pipeline() { return *pipeline_; }

 private:
  Json run_command(const std::string& name, const Json& payload);   // MQTT commands
  Json swap_model(const std::string& bundle, bool wait, const std::string& origin);
  std::string publish_bundle(const std::string& bundle_id);   // a pushed bundle's folder, ready to swap to

  EdgeOptions options_;
  EdgeMetrics metrics_;
  std::unique_ptr<ModelSlot> slot_;
  std::unique_ptr<ModelSwapper> swapper_;
  std::unique_ptr<BundleInbox> inbox_;
  std::unique_ptr<FrameSource> source_;
  std::unique_ptr<EdgePipeline> pipeline_;
  std::unique_ptr<JsonlSink> stdout_sink_;
  std::unique_ptr<std::ofstream> jsonl_file_;
  std::unique_ptr<JsonlSink> file_sink_;
  std::unique_ptr<MqttPublisher> mqtt_;
  std::unique_ptr<HttpServer> http_;
  std::atomic<bool> running_{false};
};

}  // namespace edgeloop
