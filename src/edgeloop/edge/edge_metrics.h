// EdgeMetrics: the counters, gauges and latency histograms of a running device, rendered as
// Prometheus text for GET /metrics and summarised for GET /v1/status. Updated by the pipeline
// threads, the swapper and the MQTT publisher; read by the HTTP server. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/monitor/camera_health.h"
#include "edgeloop/monitor/drift_detector.h"

namespace edgeloop {

enum class Stage { kPreprocess, kInfer, kMonitor, kTotal };
constexpr int kStageCount = 4;
std::string to_string(Stage stage);

class EdgeMetrics {
 public:
  void add_frame(const std::array<double, kStageCount>& stage_seconds, double fps);
  void add_counter(const std::string& name, int64_t amount = 1);   // e.g. "frames_dropped"
  void set_gauge(const std::string& name, double value);           // e.g. "mqtt_buffered"
  void set_drift(const DriftTest& test);
  void set_health(const HealthReport& report);
  void set_model(const std::string& model_id, const std::string& engine);   // engine: the runtime engine's name

  int64_t counter(const std::string& name) const;
  int64_t frames() const;
  std::string prometheus_text() const;
  Json status() const;   // frames, fps, counters, model, drift, health

 private:
  struct Histogram {
    std::vector<int64_t> bucket_counts;   // cumulative at render time; here per bucket
    double sum = 0.0;
    int64_t count = 0;
  };
  mutable std::mutex mutex_;
  int64_t frames_ = 0;
  double fps_ = 0.0;
  std::array<Histogram, kStageCount> latency_;
  std::map<std::string, int64_t> counters_;
  std::map<std::string, double> gauges_;
  Json drift_ = Json::object();
  Json health_ = Json{{"state", "ok"}, {"reasons", Json::array()}};
  int health_state_ = 0;
  std::vector<std::string> health_reasons_;
  std::map<std::string, std::pair<double, double>> drift_scores_;   // feature → (ks, psi)
  bool drift_active_ = false;
  std::string model_id_;
  std::string engine_;
};

}  // namespace edgeloop
