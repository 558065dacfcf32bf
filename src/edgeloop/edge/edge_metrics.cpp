#include "edgeloop/edge/edge_metrics.h"

#include <sstream>

namespace edgeloop {
namespace {

// Upper bounds of the latency histogram buckets, seconds (+Inf is implied).
constexpr std::array<double, 12> kLatencyBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                 0.01,   0.025,   0.05,   0.1,   0.25,   1.0};
constexpr const char* kPrefix = "edgeloop_";

}  // namespace

std::string to_string(Stage stage) {
  switch (stage) {
    case Stage::kPreprocess: return "preprocess";
    case Stage::kInfer: return "infer";
    case Stage::kMonitor: return "monitor";
    case Stage::kTotal: return "total";
  }
  return "total";
}

void EdgeMetrics::add_frame(const std::array<double, kStageCount>& stage_seconds, double fps) {
  std::lock_guard lock(mutex_);
  ++frames_;
  fps_ = fps;
  for (int stage = 0; stage < kStageCount; ++stage) {
    Histogram& histogram = latency_[stage];
    if (histogram.bucket_counts.empty()) histogram.bucket_counts.assign(kLatencyBuckets.size() + 1, 0);
    size_t bucket = 0;
    while (bucket < kLatencyBuckets.size() && stage_seconds[stage] > kLatencyBuckets[bucket]) ++bucket;
    ++histogram.bucket_counts[bucket];
    histogram.sum += stage_seconds[stage];
    ++histogram.count;
  }
}

void EdgeMetrics::add_counter(const std::string& name, int64_t amount) {
  std::lock_guard lock(mutex_);
  counters_[name] += amount;
}

void EdgeMetrics::set_gauge(const std::string& name, double value) {
  std::lock_guard lock(mutex_);
  gauges_[name] = value;
}

void EdgeMetrics::set_drift(const DriftTest& test) {
  std::lock_guard lock(mutex_);
  drift_active_ = test.drift_active;
  for (const FeatureScore& score : test.scores) drift_scores_[score.name] = {score.ks_statistic, score.psi};
  drift_ = test.to_json();
}

void EdgeMetrics::set_health(const HealthReport& report) {
  std::lock_guard lock(mutex_);
  health_state_ = static_cast<int>(report.state);
  health_reasons_ = report.reasons;
  health_ = report.to_json();
}

void EdgeMetrics::set_model(const std::string& model_id, const std::string& engine) {
  std::lock_guard lock(mutex_);
  model_id_ = model_id;
  engine_ = engine;
}

int64_t EdgeMetrics::counter(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto found = counters_.find(name);
  return found == counters_.end() ? 0 : found->second;
}

int64_t EdgeMetrics::frames() const {
  std::lock_guard lock(mutex_);
  return frames_;
}

namespace {

// HELP text of the counters and gauges the pipeline, the MQTT sink and the model swapper set by
// name (add_counter / set_gauge); a name not listed here gets a generic one.
const std::map<std::string, std::string>& metric_help() {
  static const std::map<std::string, std::string> help = {
      {"frames_skipped", "Frames a source could not decode (skipped)."},
      {"source_disconnects", "Disconnects of a live source (each one reconnects)."},
      {"frames_dropped", "Frames dropped because inference fell behind a live source."},
      {"frames_failed", "Frames whose preprocessing or inference failed."},
      {"drift_events", "Drift events raised."},
      {"captures", "Frames stored in the capture folder."},
      {"capture_failures", "Frames the capture store could not write."},
      {"capture_bytes", "Bytes in the capture folder."},
      {"model_swaps", "Bundles swapped in while running."},
      {"model_swap_failures", "Bundle swaps refused (the running model stayed)."},
      {"mqtt_connected", "1 while connected to the MQTT broker, else 0."},
      {"mqtt_dropped", "MQTT messages dropped because the buffer was full."},
      {"mqtt_published", "MQTT messages published."},
      {"mqtt_pending", "MQTT messages buffered, waiting for the broker."},
      {"mqtt_publish_failures", "MQTT publishes that failed."},
  };
  return help;
}

std::string help_of(const std::string& name) {
  auto found = metric_help().find(name);
  return found == metric_help().end() ? "edgeloop " + name + "." : found->second;
}

}  // namespace

std::string EdgeMetrics::prometheus_text() const {
  std::lock_guard lock(mutex_);
  std::ostringstream text;
  text << "# HELP edgeloop_frames_total Frames inferred since start.\n# TYPE edgeloop_frames_total counter\n"
       << kPrefix << "frames_total " << frames_ << "\n";
  text << "# HELP edgeloop_fps Frames per second over the recent window.\n# TYPE edgeloop_fps gauge\n"
       << kPrefix << "fps " << fps_ << "\n";
  for (const auto& [name, value] : counters_) {
    text << "# HELP " << kPrefix << name << "_total " << help_of(name) << "\n# TYPE " << kPrefix << name
         << "_total counter\n" << kPrefix << name << "_total " << value << "\n";
  }
  for (const auto& [name, value] : gauges_) {
    text << "# HELP " << kPrefix << name << " " << help_of(name) << "\n# TYPE " << kPrefix << name << " gauge\n"
         << kPrefix << name << " " << value << "\n";
  }
  text << "# HELP edgeloop_stage_latency_seconds Per-frame latency of each pipeline stage.\n"
       << "# TYPE edgeloop_stage_latency_seconds histogram\n";
  for (int stage = 0; stage < kStageCount; ++stage) {
    const Histogram& histogram = latency_[stage];
    const std::string label = "stage=\"" + to_string(static_cast<Stage>(stage)) + "\"";
    int64_t cumulative = 0;
    for (size_t bucket = 0; bucket <= kLatencyBuckets.size(); ++bucket) {
      cumulative += histogram.bucket_counts.empty() ? 0 : histogram.bucket_counts[bucket];
      std::ostringstream bound;
      if (bucket < kLatencyBuckets.size()) bound << kLatencyBuckets[bucket]; else bound << "+Inf";
      text << kPrefix << "stage_latency_seconds_bucket{" << label << ",le=\"" << bound.str() << "\"} " << cumulative << "\n";
    }
    text << kPrefix << "stage_latency_seconds_sum{" << label << "} " << histogram.sum << "\n";
    text << kPrefix << "stage_latency_seconds_count{" << label << "} " << histogram.count << "\n";
  }
  text << "# HELP edgeloop_drift_active 1 while the drift monitor reports drift, else 0.\n"
       << "# TYPE edgeloop_drift_active gauge\n" << kPrefix << "drift_active " << (drift_active_ ? 1 : 0) << "\n";
  text << "# HELP edgeloop_drift_ks_statistic Kolmogorov-Smirnov statistic of each feature's recent window "
          "against the bundle's reference.\n# TYPE edgeloop_drift_ks_statistic gauge\n";
  for (const auto& [feature, scores] : drift_scores_) {
    text << kPrefix << "drift_ks_statistic{feature=\"" << feature << "\"} " << scores.first << "\n";
  }
  text << "# HELP edgeloop_drift_psi Population stability index of each feature's recent window against the "
          "bundle's reference.\n# TYPE edgeloop_drift_psi gauge\n";
  for (const auto& [feature, scores] : drift_scores_) {
    text << kPrefix << "drift_psi{feature=\"" << feature << "\"} " << scores.second << "\n";
  }
  text << "# HELP edgeloop_camera_health_state 0 ok, 1 degraded, 2 failed.\n# TYPE edgeloop_camera_health_state gauge\n"
       << kPrefix << "camera_health_state " << health_state_ << "\n";
  text << "# HELP edgeloop_camera_health_reason 1 for each reason the camera is not healthy.\n"
          "# TYPE edgeloop_camera_health_reason gauge\n";
  for (const std::string& reason : health_reasons_) {
    text << kPrefix << "camera_health_reason{reason=\"" << reason << "\"} 1\n";
  }
  text << "# HELP edgeloop_model_info The running model's id and engine (value always 1).\n# TYPE edgeloop_model_info gauge\n"
       << kPrefix << "model_info{model_id=\"" << model_id_ << "\",engine=\"" << engine_ << "\"} 1\n";
  return text.str();
}

Json EdgeMetrics::status() const {
  std::lock_guard lock(mutex_);
  Json counters = Json::object();
  for (const auto& [name, value] : counters_) counters[name] = value;
  Json gauges = Json::object();
  for (const auto& [name, value] : gauges_) gauges[name] = value;
  return Json{{"frames", frames_}, {"fps", fps_},     {"counters", counters}, {"gauges", gauges},
              {"model_id", model_id_}, {"engine", engine_}, {"drift", drift_}, {"health", health_}};
}

}  // namespace edgeloop
