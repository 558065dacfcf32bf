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
  swapper_ = std::make_unique<ModelSwapper>(*slot_, loader, metrics_, options_.swap);
  inbox_ = std::make_unique<BundleInbox>(options_.bundle_store);
  if (!source) {
    if (options_.source.empty()) throw invalid_argument("no source: pass --source SRC (or set EDGELOOP_SOURCE)");
    source = open_frame_source(options_.source, options_.source_options, clock);
  }
  source_ = std::move(source);
  pipeline_ = std::make_unique<EdgePipeline>(*source_, *slot_, metrics_, options_.pipeline, clock);
  pipeline_->set_frame_observer([this](const std::string& model_id, const FrameRecord& frame) {
    swapper_->observe_frame(model_id, frame);
  });
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

std::string EdgeDevice::publish_bundle(const std::string& bundle_id) {
  // The serving model's and the one before stay in the store, whatever their age.
  const Json swap = swapper_->status();
  const std::vector<std::string> keep{swap.value("model_id", ""), swap.value("previous_model_id", "")};
  return inbox_->publish(bundle_id, keep).string();
}

Json EdgeDevice::run_command(const std::string& name, const Json& payload) {
  if (name == "config") {
    pipeline_->update_settings(payload);
    return to_json(pipeline_->settings());
  }
  if (name == "model") {
    if (payload.contains("bundle_id") && payload["bundle_id"].is_string()) {
      return swap_model(publish_bundle(payload["bundle_id"].get<std::string>()), /*wait=*/false, "mqtt");
    }
    if (!payload.contains("bundle") || !payload["bundle"].is_string()) {
      throw invalid_argument("the model command needs {\"bundle\": \"/path/to/bundle\"} or {\"bundle_id\": ID} of a pushed bundle");
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
    status["swap"] = swapper_->status();
    return status;
  };
  handlers.ready = [this] { return slot_->current() != nullptr; };
  handlers.metrics = [this] { return metrics_.prometheus_text(); };
  handlers.predict = [this](const cv::Mat& image) {
    return predict_image(*slot_->current(), image, options_.pipeline.top_k).to_json();
  };
  handlers.swap_model = [this](const std::string& bundle, bool wait) { return swap_model(bundle, wait, "http"); };
  handlers.publish_bundle = [this](const std::string& bundle_id) { return publish_bundle(bundle_id); };
  handlers.receive_bundle = [this](const std::string& bundle_id, const std::string& file, int64_t offset,
                                   const std::string& bytes) {
    const int64_t size = inbox_->receive(bundle_id, file, offset, bytes);
    return Json{{"bundle_id", bundle_id}, {"file", file}, {"size", size}};
  };
  handlers.bundle_status = [this](const std::string& bundle_id) {
    Json files = Json::object();
    bool complete = true;
    for (const auto& [name, sizes] : inbox_->received(bundle_id)) {
      files[name] = {{"received", sizes.first}, {"expected", sizes.second}};
      complete = complete && sizes.first == sizes.second;
    }
    return Json{{"bundle_id", bundle_id}, {"files", files}, {"complete", complete}};
  };
  handlers.config = [this] { return to_json(pipeline_->settings()); };
  handlers.update_config = [this](const Json& patch) {
    pipeline_->update_settings(patch);
    return to_json(pipeline_->settings());
  };
  return handlers;
}

}  // namespace edgeloop
