// ModelSwapper: hot model swap. A request (POST /v1/model, the MQTT `model` command, SIGHUP)
// loads, verifies and smoke-tests the new bundle on a background thread while the old model keeps
// serving; on success the ModelSlot is replaced, so the very next frame runs the new model and no
// frame is dropped. A refused bundle leaves the old model running and the reason is published on
// the `status` topic. One swap at a time. Thread-safe.
#pragma once

#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/edge/edge_metrics.h"
#include "edgeloop/edge/event_sink.h"
#include "edgeloop/edge/loaded_model.h"

namespace edgeloop {

struct SwapOutcome {
  bool swapped = false;
  std::string model_id;        // the model running after the attempt
  std::string previous_model_id;
  std::string reason;          // why the bundle was refused; empty on success
  Json to_json() const;
};

class ModelSwapper {
 public:
  ModelSwapper(ModelSlot& slot, ModelLoader loader, EdgeMetrics& metrics);
  ~ModelSwapper();   // waits for a swap in flight

  void add_sink(EventSink* sink);   // not owned; before the first request
  // Starts a swap to `bundle_directory`; false when one is already running. `origin` names who
  // asked ("http", "mqtt", "sighup") in the published status.
  bool request(const std::filesystem::path& bundle_directory, const std::string& origin);
  // The outcome of the last request, waiting for it if it is still running; nullopt if none.
  std::optional<SwapOutcome> wait();
  bool busy() const;

 private:
  SwapOutcome swap(const std::filesystem::path& bundle_directory, const std::string& origin);

  ModelSlot& slot_;
  ModelLoader loader_;
  EdgeMetrics& metrics_;
  std::vector<EventSink*> sinks_;
  mutable std::mutex mutex_;
  std::future<SwapOutcome> in_flight_;
  std::optional<SwapOutcome> last_;
};

}  // namespace edgeloop
