// EdgePipeline: capture + preprocess → infer → monitor → publish, one thread per stage joined by
// bounded queues. A live source's first queue drops the oldest frame when the pipeline is behind
// (counted as frames_dropped); a file source's applies backpressure, so every frame is inferred.
// The inference thread only infers: frames come to it prepared for the current model, and a stage
// with a backlog takes it, and hands it on, as one batch (one lock and one wake-up per batch).
// The model is read from a ModelSlot per frame, so a hot swap lands between two frames (a frame
// prepared for the model it replaced is prepared again). Thresholds
// (drift, health, capture) can be changed while running. run() blocks until the source ends or
// stop() is called, then drains every queue (nothing accepted is lost) and returns a summary.
// Called by edged's main and tests; stop(), update_settings(), settings() are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/edge/capture_store.h"
#include "edgeloop/edge/clock.h"
#include "edgeloop/edge/edge_metrics.h"
#include "edgeloop/edge/event_sink.h"
#include "edgeloop/edge/frame_source.h"
#include "edgeloop/edge/loaded_model.h"
#include "edgeloop/edge/model_watch.h"
#include "edgeloop/monitor/camera_health.h"
#include "edgeloop/monitor/drift_detector.h"

namespace edgeloop {

struct Prediction;   // edge/prediction.h

// The settings that may change at run time (PUT /v1/config, the MQTT `config` command).
struct MonitorSettings {
  DriftOptions drift;            // drift detector thresholds and windows
  CameraHealthOptions health;    // camera fault thresholds
  CaptureOptions capture;        // capture policy (directory and quota are fixed at start)
};
// Merges a partial {"drift": {...}, "health": {...}, "capture": {...}} and/or the module twin's
// flat threshold keys (edge/twin_thresholds.h) into `current`; throws Error(kInvalidArgument)
// naming the bad field, leaving nothing changed.
MonitorSettings merge_monitor_settings(const MonitorSettings& current, const Json& patch);
Json to_json(const MonitorSettings& settings);

struct PipelineOptions {
  size_t queue_capacity = 8;       // frames held between two stages
  int top_k = 3;                   // classes listed per prediction
  bool drift_enabled = true;       // run the drift detector
  bool health_enabled = true;      // run camera health
  int fps_window_frames = 30;      // frames over which the reported fps is measured
  int health_sample_frames = 30;   // also publish a health line every this many frames, "sampled": true
                                   // (0: only when the state changes); the edge report charts them
  MonitorSettings settings;        // initial thresholds
};

struct PipelineSummary {
  int64_t frames = 0;          // inferred and published
  int64_t skipped = 0;         // files that did not decode
  int64_t failed = 0;          // frames the model could not run (logged)
  int64_t dropped = 0;         // live frames dropped because the pipeline was behind
  int64_t disconnects = 0;
  int64_t drift_events = 0;
  int64_t captures = 0;
  double seconds = 0.0;        // wall time of run()
  double fps = 0.0;            // frames / seconds
  Json to_json() const;
};

class EdgePipeline {
 public:
  EdgePipeline(FrameSource& source, ModelSlot& models, EdgeMetrics& metrics, PipelineOptions options,
               Clock& clock = system_clock());
  ~EdgePipeline();

  void add_sink(EventSink* sink);            // before run(); not owned
  // Called on the inference thread for every frame inferred or failed (the swapper's probation
  // watch, edge/model_swapper.h); before run().
  using FrameObserver = std::function<void(const std::string& model_id, const FrameRecord& frame)>;
  void set_frame_observer(FrameObserver observer);
  PipelineSummary run();
  void stop();                                // ends the source; run() drains and returns
  void update_settings(const Json& patch);    // throws Error(kInvalidArgument); applied between frames
  MonitorSettings settings() const;

 private:
  struct Item;
  void capture_loop();
  void prepare(Item& item) const;   // item.model's preprocessing; throws
  void infer_loop();
  bool infer(Item& item);   // false when the frame failed (counted, logged, observed)
  void monitor_loop();
  void publish_loop();
  void publish(EdgeTopic topic, const Json& payload);
  void capture(const Item& item, const Prediction& prediction, CapturePolicy& policy);   // publish thread

  struct Queues;
  FrameSource& source_;
  ModelSlot& models_;
  EdgeMetrics& metrics_;
  PipelineOptions options_;
  Clock& clock_;
  std::vector<EventSink*> sinks_;
  FrameObserver frame_observer_;
  std::unique_ptr<Queues> queues_;
  std::unique_ptr<CaptureStore> capture_store_;

  mutable std::mutex settings_mutex_;
  MonitorSettings settings_;
  std::atomic<int64_t> settings_version_{0};

  std::atomic<int64_t> skipped_{0}, failed_{0}, disconnects_{0}, drift_events_{0}, captures_{0}, published_{0};
};

}  // namespace edgeloop
