// ModelSwapper: hot model swap with automatic rollback. A request (POST /v1/model, the MQTT `model`
// command, SIGHUP) loads, verifies and smoke-tests the new bundle on a background thread while the
// old model keeps serving; on success the ModelSlot is replaced, so the very next frame runs the
// new model and no frame is dropped. The previous model stays loaded while the new one is on
// probation (edge/model_watch.h): if its first frames show engine errors, a much slower inference
// or a collapsed confidence, the swapper puts the previous model back by itself and says why. A
// refused bundle leaves the old model running. Every outcome is published on the `status` topic
// and kept in a short history for /v1/status. One swap at a time. Thread-safe.
#pragma once

#include <deque>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/edge/edge_metrics.h"
#include "edgeloop/edge/event_sink.h"
#include "edgeloop/edge/loaded_model.h"
#include "edgeloop/edge/model_watch.h"

namespace edgeloop {

struct SwapOutcome {
  bool swapped = false;
  std::string model_id;        // the model running after the attempt
  std::string previous_model_id;
  std::string reason;          // why the bundle was refused; empty on success
  bool on_probation = false;   // swapped, and its first frames are being watched
  Json to_json() const;
};

class ModelSwapper {
 public:
  ModelSwapper(ModelSlot& slot, ModelLoader loader, EdgeMetrics& metrics, WatchOptions watch = {});
  ~ModelSwapper();   // waits for a swap in flight

  void add_sink(EventSink* sink);   // not owned; before the first request
  // Starts a swap to `bundle_directory`; false when one is already running. `origin` names who
  // asked ("http", "mqtt", "sighup") in the published status.
  bool request(const std::filesystem::path& bundle_directory, const std::string& origin);
  // The outcome of the last request, waiting for it if it is still running; nullopt if none.
  std::optional<SwapOutcome> wait();
  bool busy() const;

  // One inferred (or failed) frame of `model_id`, from the pipeline's inference thread. Ends a
  // probation when its frames are in: passed, the previous model is released; failed, it is put
  // back into the slot before this returns.
  void observe_frame(const std::string& model_id, const FrameRecord& frame);
  // {"model_id", "previous_model_id", "probation": ModelWatch::status(), "history": [newest last]}
  Json status() const;

 private:
  SwapOutcome swap(const std::filesystem::path& bundle_directory, const std::string& origin);
  void record_locked(Json event);   // history + sinks; the caller holds state_mutex_

  ModelSlot& slot_;
  ModelLoader loader_;
  EdgeMetrics& metrics_;
  ModelWatch watch_;
  std::vector<EventSink*> sinks_;
  mutable std::mutex mutex_;         // in_flight_, last_
  std::future<SwapOutcome> in_flight_;
  std::optional<SwapOutcome> last_;
  mutable std::mutex state_mutex_;   // previous_, previous_model_id_, history_
  std::shared_ptr<LoadedModel> previous_;   // held while the current model is on probation
  std::string previous_model_id_;
  std::deque<Json> history_;
};

}  // namespace edgeloop
