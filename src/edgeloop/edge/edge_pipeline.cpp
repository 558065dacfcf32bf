#include "edgeloop/edge/edge_pipeline.h"

#include <chrono>
#include <deque>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/stopwatch.h"
#include "edgeloop/core/thread_name.h"
#include "edgeloop/edge/bounded_queue.h"
#include "edgeloop/edge/prediction.h"
#include "edgeloop/edge/twin_thresholds.h"
#include "edgeloop/monitor/camera_frame_statistics.h"
#include "edgeloop/preprocess/image_features.h"

namespace edgeloop {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kPreprocess = static_cast<int>(Stage::kPreprocess);
constexpr int kInfer = static_cast<int>(Stage::kInfer);
constexpr int kMonitor = static_cast<int>(Stage::kMonitor);
constexpr int kTotal = static_cast<int>(Stage::kTotal);
}  // namespace

MonitorSettings merge_monitor_settings(const MonitorSettings& current, const Json& patch) {
  if (!patch.is_object()) throw invalid_argument("settings must be a JSON object with drift, health, capture or twin thresholds");
  // Sections first, then the twin's flat threshold keys over them.
  Json sections{{"drift", Json::object()}, {"health", Json::object()}, {"capture", Json::object()}};
  Json twin = Json::object();
  for (const auto& [key, value] : patch.items()) {
    if (!sections.contains(key)) {
      twin[key] = value;
      continue;
    }
    if (!value.is_object()) throw invalid_argument("settings: " + key + " must be an object of settings");
    sections[key].update(value);
  }
  const Json from_twin = twin_thresholds_to_settings_patch(twin);
  for (const auto& [section, values] : from_twin.items()) sections[section].update(values);
  MonitorSettings merged = current;
  merged.drift = drift_options_from_json(sections["drift"], current.drift);
  merged.health = camera_health_options_from_json(sections["health"], current.health);
  const Json& capture_patch = sections["capture"];
  if (capture_patch.contains("directory")) throw invalid_argument("settings: capture.directory is fixed at start; restart to change it");
  merged.capture = capture_options_from_json(capture_patch, current.capture);
  return merged;
}

Json to_json(const MonitorSettings& settings) {
  return Json{{"drift", to_json(settings.drift)}, {"health", to_json(settings.health)}, {"capture", to_json(settings.capture)}};
}

Json PipelineSummary::to_json() const {
  return Json{{"frames", frames},         {"skipped", skipped},          {"failed", failed},
              {"dropped", dropped},       {"disconnects", disconnects},  {"drift_events", drift_events},
              {"captures", captures},     {"seconds", seconds},          {"fps", fps}};
}

struct EdgePipeline::Item {
  bool disconnect = false;                 // a source disconnect, carried in order with the frames
  std::string detail;
  Frame frame;
  std::shared_ptr<LoadedModel> model;      // the model that prepared, then ran, this frame
  cv::Mat model_uint8;                     // the 8-bit model-sized image (drift features)
  cv::Mat input;                           // [1, H, W, C] float: the model's input
  std::vector<RankedClass> top_k;
  std::vector<float> embedding;            // [embedding_size] of this frame
  std::array<double, kStageCount> stage_seconds{};
  std::optional<DriftTest> drift;
  std::optional<HealthReport> health;      // set when the health state changed, or on a sampled frame
  bool health_sampled = false;             // health is a periodic sample, not a change
  bool drift_active = false;
  bool camera_failed = false;              // health state failed on this frame
};

struct EdgePipeline::Queues {
  Queues(size_t capacity, bool live)
      : captured(capacity, live ? WhenFull::kDropOldest : WhenFull::kBlock),
        inferred(capacity, WhenFull::kBlock),
        monitored(capacity, WhenFull::kBlock) {}
  BoundedQueue<Item> captured;
  BoundedQueue<Item> inferred;
  BoundedQueue<Item> monitored;
};

EdgePipeline::EdgePipeline(FrameSource& source, ModelSlot& models, EdgeMetrics& metrics, PipelineOptions options,
                           Clock& clock)
    : source_(source), models_(models), metrics_(metrics), options_(options), clock_(clock),
      settings_(options.settings) {
  if (!options_.settings.capture.directory.empty()) {
    capture_store_ = std::make_unique<CaptureStore>(options_.settings.capture.directory, options_.settings.capture.max_bytes);
  }
}

EdgePipeline::~EdgePipeline() = default;

void EdgePipeline::add_sink(EventSink* sink) { sinks_.push_back(sink); }

void EdgePipeline::stop() { source_.request_stop(); }

void EdgePipeline::update_settings(const Json& patch) {
  std::lock_guard lock(settings_mutex_);
  settings_ = merge_monitor_settings(settings_, patch);
  ++settings_version_;
}

MonitorSettings EdgePipeline::settings() const {
  std::lock_guard lock(settings_mutex_);
  return settings_;
}

void EdgePipeline::publish(EdgeTopic topic, const Json& payload) {
  for (EventSink* sink : sinks_) sink->publish(topic, payload);
}

PipelineSummary EdgePipeline::run() {
  const auto start = SteadyClock::now();
  queues_ = std::make_unique<Queues>(options_.queue_capacity, source_.is_live());
  if (auto model = models_.current()) metrics_.set_model(model->model_id, model->engine->name());
  publish(EdgeTopic::kStatus, Json{{"event", "started"}, {"source", source_.description()},
                                   {"model_id", models_.current() ? models_.current()->model_id : ""}});
  std::thread capture([this] { capture_loop(); });
  std::thread infer([this] { infer_loop(); });
  std::thread monitor([this] { monitor_loop(); });
  publish_loop();
  capture.join();
  infer.join();
  monitor.join();
  PipelineSummary summary;
  summary.frames = published_;
  summary.skipped = skipped_;
  summary.failed = failed_;
  summary.dropped = queues_->captured.dropped();
  summary.disconnects = disconnects_;
  summary.drift_events = drift_events_;
  summary.captures = captures_;
  summary.seconds = seconds_since(start);
  summary.fps = summary.seconds > 0 ? summary.frames / summary.seconds : 0.0;
  publish(EdgeTopic::kStatus, Json{{"event", "stopped"}, {"summary", summary.to_json()}});
  for (EventSink* sink : sinks_) sink->flush();
  return summary;
}

void EdgePipeline::capture_loop() {
  name_this_thread("edge-capture");
  int64_t dropped_reported = 0;
  int64_t last_frame = -1;   // the index of the last frame read; a disconnect's event names it
  while (true) {
    ReadResult result = source_.read();
    if (result.status == ReadStatus::kEnd) break;
    if (result.status == ReadStatus::kSkipped) {
      ++skipped_;
      metrics_.add_counter("frames_skipped");
      spdlog::warn("skipped {}", result.detail);
      continue;
    }
    Item item;
    if (result.status == ReadStatus::kDisconnected) {
      ++disconnects_;
      metrics_.add_counter("source_disconnects");
      spdlog::warn("source disconnected: {}", result.detail);
      item.disconnect = true;
      item.detail = result.detail;
      item.frame.index = last_frame;
      item.frame.wall_milliseconds = clock_.wall_milliseconds();
    } else {
      item.frame = std::move(result.frame);
      last_frame = item.frame.index;
      // Prepared here, so the inference thread only infers. A failure leaves `input` empty: the
      // inference thread prepares the frame again and reports the failure.
      item.model = models_.current();
      try {
        if (item.model) prepare(item);
      } catch (const std::exception&) {
        item.input = cv::Mat();
      }
    }
    if (!queues_->captured.push(std::move(item))) break;
    const int64_t dropped = queues_->captured.dropped();
    if (dropped > dropped_reported) {
      metrics_.add_counter("frames_dropped", dropped - dropped_reported);
      dropped_reported = dropped;
    }
  }
  queues_->captured.close();
}

void EdgePipeline::set_frame_observer(FrameObserver observer) { frame_observer_ = std::move(observer); }

// The model's preprocessing of the frame into `model_uint8` and `input`, timed; throws what the
// preprocessing throws.
void EdgePipeline::prepare(Item& item) const {
  const auto start = SteadyClock::now();
  item.model_uint8 = item.model->preprocess.apply_uint8(item.frame.image);
  item.input = item.model->preprocess.finish_uint8(item.model_uint8);
  item.stage_seconds[kPreprocess] = seconds_since(start);
}

void EdgePipeline::infer_loop() {
  name_this_thread("edge-infer");
  // A live source's frames are taken one at a time, so the queue keeps dropping the oldest; a
  // file source's backlog is taken whole, one hand-off per batch.
  const size_t batch_limit = source_.is_live() ? 1 : queues_->captured.capacity();
  std::vector<Item> batch, done;
  while (queues_->captured.pop_some(batch, batch_limit)) {
    for (Item& item : batch) {
      if (!item.disconnect && !infer(item)) continue;
      done.push_back(std::move(item));
    }
    if (!queues_->inferred.push_all(done)) break;
  }
  queues_->inferred.close();
}

bool EdgePipeline::infer(Item& item) {
  try {
    // The slot is read per frame, so a swap lands between two frames; a frame prepared for the
    // model it replaced is prepared again.
    std::shared_ptr<LoadedModel> current = models_.current();
    if (item.model != current || item.input.empty()) {
      item.model = std::move(current);
      prepare(item);
    }
    const auto infer_start = SteadyClock::now();
    InferenceResult result = item.model->infer_one(item.input);
    item.stage_seconds[kInfer] = seconds_since(infer_start);
    item.input = cv::Mat();
    item.top_k = rank_classes(result, *item.model, options_.top_k);
    item.embedding.assign(result.embedding.begin(), result.embedding.begin() + result.embedding_size);
  } catch (const std::exception& error) {
    ++failed_;
    metrics_.add_counter("frames_failed");
    spdlog::warn("frame {} not inferred: {}", item.frame.index, error.what());
    if (frame_observer_ && item.model) frame_observer_(item.model->model_id, FrameRecord{.failed = true});
    return false;
  }
  if (frame_observer_) {
    FrameRecord record{.infer_seconds = item.stage_seconds[kInfer]};
    if (!item.top_k.empty()) {
      record.top1_probability = item.top_k.front().score;
      record.top1_class = item.top_k.front().class_id;
    }
    frame_observer_(item.model->model_id, record);
  }
  return true;
}

void EdgePipeline::monitor_loop() {
  name_this_thread("edge-monitor");
  std::unique_ptr<DriftDetector> drift;
  std::string drift_model_id;
  MonitorSettings settings = this->settings();
  int64_t settings_version = settings_version_;
  CameraHealth health(settings.health);
  cv::Mat previous_gray;
  std::vector<double> drift_values;   // one frame's drift values, reused between frames
  bool health_fps_checked = source_.is_live();
  // One frame's drift and camera health; the state above carries over between frames.
  auto monitor = [&](Item& item) {
    if (settings_version != settings_version_) {
      settings = this->settings();
      settings_version = settings_version_;
      if (drift) drift->set_options(settings.drift);
      CameraHealthOptions health_options = settings.health;
      health_options.check_fps = health_options.check_fps && health_fps_checked;
      health.set_options(health_options);
    }
    if (item.disconnect) {
      if (options_.health_enabled) {
        HealthReport report = health.note_disconnect();
        if (report.changed) item.health = report;
      }
      return;
    }
    const auto start = SteadyClock::now();
    if (options_.drift_enabled && item.model && item.model->model_id != drift_model_id) {
      // A new model brings its own reference: start a fresh detector.
      drift_model_id = item.model->model_id;
      drift = std::make_unique<DriftDetector>(item.model->drift_references(), settings.drift);
      drift->set_value_order(item.model->reference.frame_value_names());
    }
    if (drift) {
      const double confidence = item.top_k.empty() ? 0.0 : item.top_k.front().score;
      // The image statistics of the model-sized 8-bit input (what export measured the reference
      // on), the confidence and the embedding projections.
      const ReferenceStatistics& reference = item.model->reference;
      const std::span<const float> embedding =
          reference.embedding_projections.empty() ? std::span<const float>() : std::span<const float>(item.embedding);
      reference.frame_values_into(compute_image_features(item.model_uint8), confidence, embedding, drift_values);
      item.drift = drift->observe_values(item.frame.index, drift_values);
      item.drift_active = drift->drift_active();
    }
    if (options_.health_enabled) {
      if (!health_fps_checked) {
        CameraHealthOptions health_options = settings.health;
        health_options.check_fps = false;   // a file's pace is the pipeline's, not the camera's
        health.set_options(health_options);
        health_fps_checked = true;
      }
      HealthReport report = health.observe(measure_camera_frame(item.frame.image, previous_gray),
                                           item.frame.capture_seconds);
      const bool sample = options_.health_sample_frames > 0 && item.frame.index % options_.health_sample_frames == 0;
      if (report.changed || sample) item.health = report;
      item.health_sampled = !report.changed && sample;
      item.camera_failed = report.state == HealthState::kFailed;
    }
    item.stage_seconds[kMonitor] = seconds_since(start);
  };
  std::vector<Item> batch;
  while (queues_->inferred.pop_some(batch, queues_->inferred.capacity())) {
    for (Item& item : batch) monitor(item);
    if (!queues_->monitored.push_all(batch)) break;
  }
  queues_->monitored.close();
}

void EdgePipeline::publish_loop() {
  std::deque<double> completion_times;
  std::unique_ptr<CapturePolicy> policy;
  MonitorSettings settings = this->settings();
  int64_t settings_version = settings_version_;
  if (capture_store_) policy = std::make_unique<CapturePolicy>(settings.capture);
  // One frame's events, metrics and capture; the state above carries over between frames.
  auto publish_frame = [&](Item& item) {
    if (settings_version != settings_version_) {
      settings = this->settings();
      settings_version = settings_version_;
      if (policy) policy->set_options(settings.capture);
    }
    if (item.health) {
      metrics_.set_health(*item.health);
      Json payload = item.health->to_json();
      payload["frame"] = item.frame.index;   // the frame it was judged on (a disconnect: the last one read)
      payload["ts"] = item.frame.wall_milliseconds;
      if (item.disconnect) payload["detail"] = item.detail;
      if (!item.disconnect) payload["frame"] = item.frame.index;
      if (item.health_sampled) payload["sampled"] = true;
      publish(EdgeTopic::kHealth, payload);
    }
    if (item.disconnect) return;
    if (item.drift) {
      metrics_.set_drift(*item.drift);
      if (item.drift->state_changed) {
        if (item.drift->drift_active) {
          ++drift_events_;
          metrics_.add_counter("drift_events");
        }
        Json payload = item.drift->to_json();
        payload["model_id"] = item.model->model_id;
        payload["ts"] = item.frame.wall_milliseconds;
        publish(EdgeTopic::kDrift, payload);
      }
    }
    Prediction prediction;
    prediction.wall_milliseconds = item.frame.wall_milliseconds;
    prediction.frame = item.frame.index;
    prediction.model_id = item.model->model_id;
    prediction.truth = item.frame.truth;
    prediction.item = item.frame.item;
    prediction.top_k = std::move(item.top_k);
    prediction.stage_seconds = item.stage_seconds;
    const double now = clock_.now_seconds();
    prediction.stage_seconds[kTotal] = std::max(0.0, now - item.frame.capture_seconds);
    completion_times.push_back(now);
    while (completion_times.size() > static_cast<size_t>(options_.fps_window_frames)) completion_times.pop_front();
    const double span = completion_times.back() - completion_times.front();
    const double fps = span > 0 ? (completion_times.size() - 1) / span : 0.0;
    metrics_.add_frame(prediction.stage_seconds, fps);
    if (!sinks_.empty()) publish(EdgeTopic::kPredictions, prediction.to_json());   // no JSON when nobody listens
    ++published_;
    if (policy && !prediction.top_k.empty()) capture(item, prediction, *policy);
  };
  std::vector<Item> batch;
  while (queues_->monitored.pop_some(batch, queues_->monitored.capacity())) {
    for (Item& item : batch) publish_frame(item);
  }
}

void EdgePipeline::capture(const Item& item, const Prediction& prediction, CapturePolicy& policy) {
  const RankedClass& best = prediction.top_k.front();
  auto reason = policy.decide({best.label, best.score, item.drift_active, item.frame.capture_seconds, item.camera_failed},
                              capture_store_->stored_for_label(best.label));
  if (!reason) return;
  try {
    // The original bytes of a file source; a lossless PNG of anything else.
    std::vector<uint8_t> bytes;
    std::string extension = ".png";
    if (!item.frame.origin.empty()) {
      const std::string original = read_file(item.frame.origin);
      bytes.assign(original.begin(), original.end());
      extension = item.frame.origin.extension().string();
    } else {
      cv::imencode(extension, item.frame.image, bytes);
    }
    const std::string stem = capture_stem(prediction.wall_milliseconds, prediction.frame);
    Json sidecar = prediction.to_json();
    sidecar.erase("latency_ms");
    sidecar["reason"] = *reason;
    sidecar["image"] = stem + extension;
    sidecar["source"] = source_.description();
    if (capture_store_->save(stem, extension, bytes, sidecar)) {
      ++captures_;
      metrics_.add_counter("captures");
      metrics_.set_gauge("capture_bytes", static_cast<double>(capture_store_->stored_bytes()));
      publish(EdgeTopic::kCaptures, sidecar);
    }
  } catch (const Error& error) {
    metrics_.add_counter("capture_failures");
    spdlog::warn("capture of frame {} failed: {}", prediction.frame, error.what());
  }
}

}  // namespace edgeloop
