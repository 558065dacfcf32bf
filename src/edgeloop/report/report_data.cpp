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

EdgeLogData edge_log_from_jsonl(const std::string& text, const std::string& source_path) {
  EdgeLogData log;
  log.source_path = source_path;
  std::istringstream lines(text);
  std::string line;
  int parsed = 0, skipped = 0;
  double frame = 0.0;                 // the latest frame index seen, for lines that carry none
  double frame_offset = 0.0;          // logs of several runs appended: each run continues the axis
  double last_frame = -1.0;
  bool drift_was_active = false;
  std::string last_health = "ok";
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json item;
    try {
      item = Json::parse(line);
    } catch (const Json::exception&) {
      ++skipped;
      continue;
    }
    if (!item.is_object()) {
      ++skipped;
      continue;
    }
    ++parsed;
    const std::string topic = item.value("topic", std::string("predictions"));
    if (topic == "status" && item.value("event", std::string()) == "started") {
      ++log.runs;
      if (last_frame >= 0) {   // a later run: a new segment after the previous run's frames
        frame_offset = last_frame + 1;
        frame = frame_offset;
        end_segment(log, frame_offset);
        log.events.push_back({frame_offset, "run", "run " + std::to_string(log.runs) + " started"});
        drift_was_active = false;
        last_health = "ok";
      }
    }
    if (item.contains("frame") && item["frame"].is_number()) {
      frame = item["frame"].get<double>() + frame_offset;
      last_frame = std::max(last_frame, frame);
    }
    if (topic == "predictions") {
      ++log.predictions;
      log.frames.push_back(frame);
      log.confidence.push_back(number_of(item, {"score"}));
      log.latency_ms.push_back(item.contains("latency_ms") && item["latency_ms"].is_object()
                                   ? number_of(item["latency_ms"], {"total"})
                                   : number_of(item, {"latency_ms"}));
    } else if (topic == "health") {
      const std::string state = item.value("state", std::string("ok"));
      log.health_frames.push_back(frame);
      log.brightness.push_back(number_of(item, {"brightness"}));
      log.sharpness.push_back(number_of(item, {"sharpness"}));
      log.health_state.push_back(state == "failed" ? 2.0 : state == "degraded" ? 1.0 : 0.0);
      if (state != last_health) {
        std::string reasons;
        for (const Json& reason : item.value("reasons", Json::array())) {
          reasons += (reasons.empty() ? "" : ", ") + reason.get<std::string>();
        }
        log.events.push_back({frame, "camera", state + (reasons.empty() ? "" : " (" + reasons + ")")});
        last_health = state;
      }
    } else if (topic == "drift") {
      const bool active = item.value("drift", false);
      log.drift_frames.push_back(frame);
      log.drift_active.push_back(active ? 1.0 : 0.0);
      if (active != drift_was_active) {
        std::string moved;
        for (const Json& feature : item.value("moved", Json::array())) {
          moved += (moved.empty() ? "" : ", ") + feature.get<std::string>();
        }
        log.events.push_back({frame, active ? "drift" : "drift cleared", moved});
        drift_was_active = active;
      }
    } else if (topic == "captures") {
      ++log.captures;
    } else if (topic == "status") {
      const std::string event = item.value("event", std::string());
      if (event == "stopped" && item.contains("summary")) log.summary = item["summary"];
      if (!event.empty()) log.events.push_back({frame, "status", event});
    }
  }
  log.runs = std::max(log.runs, 1);
  if (parsed == 0) {
    throw invalid_argument(source_path + " holds no JSON lines (" + std::to_string(skipped) +
                           " unreadable): pass the log edgeloop-edge wrote with --jsonl-all-topics");
  }
  return log;
}

}  // namespace edgeloop
