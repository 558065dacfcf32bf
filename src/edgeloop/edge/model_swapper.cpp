#include "edgeloop/edge/model_swapper.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "edgeloop/core/timestamp.h"

namespace edgeloop {
namespace {

constexpr size_t kHistoryLength = 20;   // swap events kept for /v1/status

}  // namespace

Json SwapOutcome::to_json() const {
  return Json{{"event", swapped ? "model_swapped" : "model_refused"},
              {"model_id", model_id},
              {"previous_model_id", previous_model_id},
              {"reason", reason},
              {"on_probation", on_probation}};
}

ModelSwapper::ModelSwapper(ModelSlot& slot, ModelLoader loader, EdgeMetrics& metrics, WatchOptions watch)
    : slot_(slot), loader_(std::move(loader)), metrics_(metrics), watch_(watch) {}

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

// Under state_mutex_, so that the events reach the history and the sinks in the order they
// happened: a rollback decided on the inference thread right after a swap comes after its
// "model_swapped".
void ModelSwapper::record_locked(Json event) {
  event["at"] = utc_timestamp();
  history_.push_back(event);
  if (history_.size() > kHistoryLength) history_.pop_front();
  for (EventSink* sink : sinks_) sink->publish(EdgeTopic::kStatus, event);
}

SwapOutcome ModelSwapper::swap(const std::filesystem::path& bundle_directory, const std::string& origin) {
  SwapOutcome outcome;
  std::shared_ptr<LoadedModel> current = slot_.current();
  outcome.previous_model_id = current ? current->model_id : "";
  std::shared_ptr<LoadedModel> next;
  try {
    next = loader_(bundle_directory);
  } catch (const std::exception& error) {
    outcome.model_id = outcome.previous_model_id;
    outcome.reason = error.what();
    metrics_.add_counter("model_swap_failures");
    spdlog::warn("model swap to {} refused ({}): {}", bundle_directory.string(), origin, error.what());
  }
  if (next) {
    outcome.swapped = true;
    outcome.on_probation = watch_.options().probation_frames > 0;
    outcome.model_id = next->model_id;
    metrics_.set_model(next->model_id, next->engine->name());
    metrics_.add_counter("model_swaps");
    spdlog::info("model swapped to {} from {} ({})", next->model_id, bundle_directory.string(), origin);
  }
  Json event = outcome.to_json();
  event["bundle"] = bundle_directory.string();
  event["origin"] = origin;
  std::lock_guard lock(state_mutex_);
  if (next) {
    slot_.replace(next);
    watch_.begin_probation(next->model_id);
    previous_ = outcome.on_probation ? current : nullptr;
    previous_model_id_ = outcome.previous_model_id;
  }
  record_locked(std::move(event));
  return outcome;
}

void ModelSwapper::observe_frame(const std::string& model_id, const FrameRecord& frame) {
  // Frames the replaced model was still running when a swap or rollback landed are not the
  // serving model's: they would neither judge the candidate nor describe the baseline.
  const std::shared_ptr<LoadedModel> serving = slot_.current();
  if (!serving || serving->model_id != model_id) return;
  std::optional<ProbationResult> result = watch_.observe(model_id, frame);
  if (!result) return;
  Json event{{"model_id", result->candidate_model_id}, {"probation", result->to_json()}};
  std::lock_guard lock(state_mutex_);
  // A newer swap since this verdict owns the slot, the history and the previous model.
  const std::shared_ptr<LoadedModel> still_serving = slot_.current();
  if (!still_serving || still_serving->model_id != result->candidate_model_id) return;
  if (result->verdict == ProbationVerdict::kPassed) {
    previous_.reset();
    event["event"] = "model_confirmed";
    spdlog::info("model {} passed probation", result->candidate_model_id);
    record_locked(std::move(event));
    return;
  }
  std::shared_ptr<LoadedModel> previous = std::move(previous_);
  if (!previous) return;
  slot_.replace(previous);
  watch_.begin_probation(previous->model_id);
  watch_.cancel_probation();   // the model put back is not judged again
  previous_model_id_ = result->candidate_model_id;
  metrics_.set_model(previous->model_id, previous->engine->name());
  metrics_.add_counter("model_rollbacks");
  spdlog::warn("model {} rolled back to {}: {}", result->candidate_model_id, previous->model_id, result->reason);
  event["event"] = "model_rolled_back";
  event["model_id"] = previous->model_id;
  event["rolled_back_model_id"] = result->candidate_model_id;
  event["reason"] = result->reason;
  record_locked(std::move(event));
}

Json ModelSwapper::status() const {
  std::shared_ptr<LoadedModel> serving = slot_.current();
  std::lock_guard lock(state_mutex_);
  Json history = Json::array();
  for (const Json& event : history_) history.push_back(event);
  return Json{{"model_id", serving ? serving->model_id : ""},
              {"previous_model_id", previous_model_id_},
              {"probation", watch_.status()},
              {"history", history}};
}

}  // namespace edgeloop
