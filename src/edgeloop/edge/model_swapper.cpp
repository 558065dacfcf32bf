#include "edgeloop/edge/model_swapper.h"

#include <chrono>

#include <spdlog/spdlog.h>

namespace edgeloop {

Json SwapOutcome::to_json() const {
  return Json{{"event", swapped ? "model_swapped" : "model_refused"},
              {"model_id", model_id},
              {"previous_model_id", previous_model_id},
              {"reason", reason}};
}

ModelSwapper::ModelSwapper(ModelSlot& slot, ModelLoader loader, EdgeMetrics& metrics)
    : slot_(slot), loader_(std::move(loader)), metrics_(metrics) {}

ModelSwapper::~ModelSwapper() { wait(); }

void ModelSwapper::add_sink(EventSink* sink) { sinks_.push_back(sink); }

bool ModelSwapper::busy() const {
  std::lock_guard lock(mutex_);
  return in_flight_.valid() && in_flight_.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
}

bool ModelSwapper::request(const std::filesystem::path& bundle_directory, const std::string& origin) {
  std::lock_guard lock(mutex_);
  if (in_flight_.valid()) {
    if (in_flight_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
    last_ = in_flight_.get();
  }
  in_flight_ = std::async(std::launch::async, [this, bundle_directory, origin] { return swap(bundle_directory, origin); });
  return true;
}

std::optional<SwapOutcome> ModelSwapper::wait() {
  std::lock_guard lock(mutex_);
  if (in_flight_.valid()) last_ = in_flight_.get();
  return last_;
}

SwapOutcome ModelSwapper::swap(const std::filesystem::path& bundle_directory, const std::string& origin) {
  SwapOutcome outcome;
  std::shared_ptr<LoadedModel> previous = slot_.current();
  outcome.previous_model_id = previous ? previous->model_id : "";
  try {
    std::shared_ptr<LoadedModel> next = loader_(bundle_directory);
    slot_.replace(next);
    outcome.swapped = true;
    outcome.model_id = next->model_id;
    metrics_.set_model(next->model_id, next->engine->name());
    metrics_.add_counter("model_swaps");
    spdlog::info("model swapped to {} from {} ({})", next->model_id, bundle_directory.string(), origin);
  } catch (const std::exception& error) {
    outcome.model_id = outcome.previous_model_id;
    outcome.reason = error.what();
    metrics_.add_counter("model_swap_failures");
    spdlog::warn("model swap to {} refused ({}): {}", bundle_directory.string(), origin, error.what());
  }
  Json payload = outcome.to_json();
  payload["bundle"] = bundle_directory.string();
  payload["origin"] = origin;
  for (EventSink* sink : sinks_) sink->publish(EdgeTopic::kStatus, payload);
  return outcome;
}

}  // namespace edgeloop
