#include "edgeloop/edge/edge_device.h"

#include <spdlog/spdlog.h>

#include "edgeloop/core/error.h"
#include "edgeloop/edge/prediction.h"

namespace edgeloop {

EdgeDevice::EdgeDevice(const EdgeOptions& options, ModelLoader loader, std::ostream* jsonl_stdout,
                       std::unique_ptr<FrameSource> source, Clock& clock)
    : options_(options) {
  if (options_.bundle.empty()) throw invalid_argument("no bundle: pass --bundle DIR (or set EDGELOOP_BUNDLE)");
  slot_ = std::make_unique<ModelSlot>(loader(options_.bundle));
  metrics_.set_model(slot_->current()->model_id, slot_->current()->engine->name());
  swapper_ = std::make_unique<ModelSwapper>(*slot_, loader, metrics_);
  if (!source) {
    if (options_.source.empty()) throw invalid_argument("no source: pass --source SRC (or set EDGELOOP_SOURCE)");
    source = open_frame_source(options_.source, options_.source_options, clock);
  }
  source_ = std::move(source);
  pipeline_ = std::make_unique<EdgePipeline>(*source_, *slot_, metrics_, options_.pipeline, clock);
  if (options_.jsonl_stdout && jsonl_stdout) {
    stdout_sink_ = std::make_unique<JsonlSink>(*jsonl_stdout, options_.jsonl_all_topics);
    pipeline_->add_sink(stdout_sink_.get());
  }
  if (!options_.jsonl_file.empty()) {
    jsonl_file_ = std::make_unique<std::ofstream>(options_.jsonl_file, std::ios::app);
    if (!*jsonl_file_) throw io_error("cannot open " + options_.jsonl_file.string() + " for writing: choose a writable jsonl file");
    file_sink_ = std::make_unique<JsonlSink>(*jsonl_file_, options_.jsonl_all_topics);
    pipeline_->add_sink(file_sink_.get());
  }
  if (!options_.mqtt.broker.empty()) {
    mqtt_ = std::make_unique<MqttPublisher>(options_.mqtt, options_.device_id, &metrics_);
    mqtt_->set_command_handler([this](const std::string& name, const Json& payload) { return run_command(name, payload); });
    pipeline_->add_sink(mqtt_.get());
    swapper_->add_sink(mqtt_.get());
    mqtt_->start();
  }
  if (stdout_sink_) swapper_->add_sink(stdout_sink_.get());
  if (file_sink_) swapper_->add_sink(file_sink_.get());
  if (options_.http.enabled) {
    http_ = std::make_unique<HttpServer>(options_.http, http_handlers());
    http_->start();
  }
}

EdgeDevice::~EdgeDevice() {
  if (http_) http_->stop();
  swapper_->wait();
}

PipelineSummary EdgeDevice::run() {
  running_ = true;
  spdlog::info("edge: {} with model {} on engine {}", source_->description(), slot_->current()->model_id,
               slot_->current()->engine->name());
  PipelineSummary summary = pipeline_->run();
  running_ = false;
  swapper_->wait();
  return summary;
}

void EdgeDevice::stop() { pipeline_->stop(); }

void EdgeDevice::reload_model() { swap_model(options_.bundle.string(), /*wait=*/false, "sighup"); }

Json EdgeDevice::swap_model(const std::string& bundle, bool wait, const std::string& origin) {
  if (!swapper_->request(bundle, origin)) throw already_exists("a model swap is already running: retry when it ends");
  if (!wait) return Json{{"accepted", true}, {"bundle", bundle}};
  std::optional<SwapOutcome> outcome = swapper_->wait();
  return outcome ? outcome->to_json() : Json::object();
}

Json EdgeDevice::run_command(const std::string& name, const Json& payload) {
  if (name == "config") {
    pipeline_->update_settings(payload);
    return to_json(pipeline_->settings());
  }
  if (name == "model") {
    if (!payload.contains("bundle") || !payload["bundle"].is_string()) {
      throw invalid_argument("the model command needs {\"bundle\": \"/path/to/bundle\"}");
    }
    return swap_model(payload["bundle"].get<std::string>(), /*wait=*/false, "mqtt");
  }
  if (name == "status") return metrics_.status();
  throw invalid_argument("unknown command '" + name + "': use config, model or status");
}

HttpHandlers EdgeDevice::http_handlers() {
  HttpHandlers handlers;
  handlers.status = [this] {
    Json status = metrics_.status();
    status["running"] = running_.load();
    status["source"] = source_->description();
    status["device_id"] = options_.device_id;
    if (mqtt_) status["mqtt"] = {{"connected", mqtt_->connected()}, {"dropped", mqtt_->dropped()}};
    return status;
  };
  handlers.ready = [this] { return slot_->current() != nullptr; };
  handlers.metrics = [this] { return metrics_.prometheus_text(); };
  handlers.predict = [this](const cv::Mat& image) {
    return predict_image(*slot_->current(), image, options_.pipeline.top_k).to_json();
  };
  handlers.swap_model = [this](const std::string& bundle, bool wait) { return swap_model(bundle, wait, "http"); };
  handlers.config = [this] { return to_json(pipeline_->settings()); };
  handlers.update_config = [this](const Json& patch) {
    pipeline_->update_settings(patch);
    return to_json(pipeline_->settings());
  };
  return handlers;
}

}  // namespace edgeloop
