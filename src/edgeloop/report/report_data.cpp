#include "edgeloop/report/report_data.h"

#include <algorithm>
#include <limits>
#include <sstream>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr double kBytesPerKilobyte = 1024.0;

// The first of `keys` present in `value` as a number, else `fallback`. The stages name a few
// figures differently (accuracy / val_accuracy), so readers accept each spelling.
double number_of(const Json& value, std::initializer_list<const char*> keys, double fallback = 0.0) {
  for (const char* key : keys) {
    if (value.contains(key) && value[key].is_number()) return value[key].get<double>();
  }
  return fallback;
}

std::string text_of(const Json& value, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (value.contains(key) && value[key].is_string()) return value[key].get<std::string>();
  }
  return "";
}

// A NaN point at `frame` in every series: the charts end each line there.
void end_segment(EdgeLogData& log, double frame) {
  constexpr double kGap = std::numeric_limits<double>::quiet_NaN();
  for (auto* series : {&log.confidence, &log.latency_ms}) series->push_back(kGap);
  log.frames.push_back(frame);
  for (auto* series : {&log.brightness, &log.sharpness, &log.health_state}) series->push_back(kGap);
  log.health_frames.push_back(frame);
  log.drift_active.push_back(kGap);
  log.drift_frames.push_back(frame);
}

}  // namespace

EvaluationSummary evaluation_summary_from_json(const Json& value) {
  EvaluationSummary evaluation;
  evaluation.split = value.value("split", std::string());
  evaluation.accuracy = number_of(value, {"accuracy"});
  evaluation.created_at = value.value("created_at", std::string());
  evaluation.forced = value.value("forced", false);
  evaluation.earlier_models = value.value("earlier_models", 0);
  const Json result = value.value("result", value);
  for (const char* key : {"labels", "classes"}) {
    if (result.contains(key) && result[key].is_array()) evaluation.labels = result[key].get<std::vector<std::string>>();
  }
  for (const char* key : {"confusion", "confusion_matrix"}) {
    if (result.contains(key) && result[key].is_array()) {
      evaluation.confusion = result[key].get<std::vector<std::vector<double>>>();
    }
  }
  if (evaluation.labels.empty()) {
    for (size_t index = 0; index < evaluation.confusion.size(); ++index) evaluation.labels.push_back(std::to_string(index));
  }
  return evaluation;
}

SweepReportData sweep_report_from_json(const Json& value) {
  SweepReportData sweep;
  sweep.sweep_id = text_of(value, {"sweep_id", "id"});
  sweep.dataset_version = text_of(value, {"dataset_version", "version_id"});
  const Json& result = value.contains("result") ? value["result"] : value;
  const Json pick = result.value("pick", Json::object());
  const std::string picked_name = pick.is_object() ? text_of(pick, {"name", "arch", "model_id"}) :
                                  pick.is_string() ? pick.get<std::string>() : "";
  sweep.pick_reason = pick.is_object() ? text_of(pick, {"reason", "why"}) : "";
  for (const char* key : {"rows", "table", "points"}) {
    if (!result.contains(key) || !result[key].is_array()) continue;
    sweep.table = result[key];
    for (const Json& row : result[key]) {
      SweepPoint point;
      point.name = text_of(row, {"name", "arch", "model_id"});
      point.accuracy = number_of(row, {"val_accuracy", "accuracy"});
      point.latency_ms = number_of(row, {"latency_ms", "p50_ms"});
      if (row.contains("latency_ms") && row["latency_ms"].is_object()) point.latency_ms = number_of(row["latency_ms"], {"p50"});
      point.size_kb = number_of(row, {"size_kb"}, number_of(row, {"bundle_bytes", "file_bytes", "bytes"}) / kBytesPerKilobyte);
      point.rung = row.value("rung", 0);
      point.rungs = row.value("rungs", 0);
      point.status = row.value("status", std::string());
      point.on_front = row.value("pareto", row.value("on_front", false));
      // `edgeloop sweep` writes the pick as a model id and marks its row with "pick": true.
      point.picked = row.value("picked", row.value("pick", false)) ||
                     (!picked_name.empty() && (point.name == picked_name || text_of(row, {"model_id", "model"}) == picked_name));
      sweep.points.push_back(point);
    }
    break;
  }
  return sweep;
}

namespace {

// Reads an edge log's lines in order into EdgeLogData: the frame axis (runs appended to one log
// continue it, each a segment of its own), the per-frame series and the events where a state changes.
class EdgeLogReader {
 public:
  explicit EdgeLogReader(EdgeLogData& log) : log_(log) {}

  void add(const Json& item) {
    const std::string topic = item.value("topic", std::string("predictions"));
    if (topic == "status" && item.value("event", std::string()) == "started") start_run();
    if (item.contains("frame") && item["frame"].is_number()) {
      frame_ = item["frame"].get<double>() + frame_offset_;
      last_frame_ = std::max(last_frame_, frame_);
    }
    if (topic == "predictions") {
      add_prediction(item);
    } else if (topic == "health") {
      add_health(item);
    } else if (topic == "drift") {
      add_drift(item);
    } else if (topic == "captures") {
      ++log_.captures;
    } else if (topic == "status") {
      const std::string event = item.value("event", std::string());
      if (event == "stopped" && item.contains("summary")) log_.summary = item["summary"];
      if (!event.empty()) log_.events.push_back({frame_, "status", event});
    }
  }

 private:
  void start_run() {
    ++log_.runs;
    if (last_frame_ < 0) return;
    // A later run: a new segment after the previous run's frames.
    frame_offset_ = last_frame_ + 1;
    frame_ = frame_offset_;
    end_segment(log_, frame_offset_);
    log_.events.push_back({frame_offset_, "run", "run " + std::to_string(log_.runs) + " started"});
    drift_was_active_ = false;
    last_health_ = "ok";
  }

  void add_prediction(const Json& item) {
    ++log_.predictions;
    log_.frames.push_back(frame_);
    log_.confidence.push_back(number_of(item, {"score"}));
    log_.latency_ms.push_back(item.contains("latency_ms") && item["latency_ms"].is_object()
                                  ? number_of(item["latency_ms"], {"total"})
                                  : number_of(item, {"latency_ms"}));
  }

  void add_health(const Json& item) {
    const std::string state = item.value("state", std::string("ok"));
    log_.health_frames.push_back(frame_);
    log_.brightness.push_back(number_of(item, {"brightness"}));
    log_.sharpness.push_back(number_of(item, {"sharpness"}));
    log_.health_state.push_back(state == "failed" ? 2.0 : state == "degraded" ? 1.0 : 0.0);
    if (state == last_health_) return;
    std::string reasons;
    for (const Json& reason : item.value("reasons", Json::array())) reasons += (reasons.empty() ? "" : ", ") + reason.get<std::string>();
    log_.events.push_back({frame_, "camera", state + (reasons.empty() ? "" : " (" + reasons + ")")});
    last_health_ = state;
  }

  void add_drift(const Json& item) {
    const bool active = item.value("drift", false);
    log_.drift_frames.push_back(frame_);
    log_.drift_active.push_back(active ? 1.0 : 0.0);
    if (active == drift_was_active_) return;
    std::string moved;
    for (const Json& feature : item.value("moved", Json::array())) moved += (moved.empty() ? "" : ", ") + feature.get<std::string>();
    log_.events.push_back({frame_, active ? "drift" : "drift cleared", moved});
    drift_was_active_ = active;
  }

  EdgeLogData& log_;
  double frame_ = 0.0;          // the latest frame index seen, for lines that carry none
  double frame_offset_ = 0.0;   // logs of several runs appended: each run continues the axis
  double last_frame_ = -1.0;
  bool drift_was_active_ = false;
  std::string last_health_ = "ok";
};

}  // namespace

EdgeLogData edge_log_from_jsonl(const std::string& text, const std::string& source_path) {
  EdgeLogData log;
  log.source_path = source_path;
  EdgeLogReader reader(log);
  std::istringstream lines(text);
  std::string line;
  int parsed = 0, skipped = 0;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const Json item = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!item.is_object()) {   // unreadable lines (a discarded parse is not an object either)
      ++skipped;
      continue;
    }
    ++parsed;
    reader.add(item);
  }
  log.runs = std::max(log.runs, 1);
  if (parsed == 0) {
    throw invalid_argument(source_path + " holds no JSON lines (" + std::to_string(skipped) +
                           " unreadable): pass the log edgeloop-edge wrote with --jsonl-all-topics");
  }
  return log;
}

}  // namespace edgeloop
