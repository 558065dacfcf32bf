#include "edgeloop/report/report_pages.h"

#include <algorithm>

#include "edgeloop/report/html_report.h"
#include "edgeloop/report/svg_chart.h"

namespace edgeloop {

namespace {

constexpr int kWideChart = 900;
constexpr int kSquareChart = 560;
constexpr double kKilobytesPerMegabyte = 1024.0;

std::string join(const Json& list, const std::string& separator) {
  std::string text;
  if (!list.is_array()) return list.is_string() ? list.get<std::string>() : "";
  for (const Json& item : list) text += (text.empty() ? "" : separator) + (item.is_string() ? item.get<std::string>() : item.dump());
  return text;
}

void add_balance(HtmlReport& page, const ClassBalance& balance) {
  page.add_heading("Class balance");
  std::vector<std::string> splits;
  std::vector<std::vector<double>> values;
  for (const auto& [split, counts] : balance.counts) {
    splits.push_back(split);
    values.emplace_back(counts.begin(), counts.end());
  }
  ChartFrame frame{"Samples per class, " + balance.dataset_version, "class", "samples", kWideChart, 320};
  page.add_svg(bar_chart_svg(frame, balance.classes, splits, values));
  for (size_t split = 0; split < splits.size(); ++split) {
    const auto [smallest, largest] = std::minmax_element(values[split].begin(), values[split].end());
    if (smallest != values[split].end() && *smallest > 0 && *largest / *smallest > 1.5) {
      page.add_callout("Imbalanced " + splits[split] + ":",
                       "the largest class has " + format_fixed(*largest / *smallest, 1) +
                           "× the samples of the smallest; consider `edgeloop data balance`.",
                       true);
    }
  }
}

void add_curves(HtmlReport& page, const RunSummary& run) {
  page.add_heading("Learning curves: " + run.arch);
  std::vector<double> epochs, train_loss, val_loss, train_accuracy, val_accuracy;
  for (const EpochRecord& point : run.epochs) {
    epochs.push_back(point.epoch);
    train_loss.push_back(point.train_loss);
    val_loss.push_back(point.val_loss);
    train_accuracy.push_back(point.train_accuracy);
    val_accuracy.push_back(point.val_accuracy);
  }
  page.add_svg(line_chart_svg({"Loss", "epoch", "cross-entropy", kWideChart / 2 + 100, 300},
                              {{"train", epochs, train_loss, palette_color(0)},
                               {"validation", epochs, val_loss, palette_color(1), /*dashed=*/true}}));
  page.add_svg(line_chart_svg({"Accuracy", "epoch", "top-1", kWideChart / 2 + 100, 300},
                              {{"train", epochs, train_accuracy, palette_color(0)},
                               {"validation", epochs, val_accuracy, palette_color(1), /*dashed=*/true}}));
  if (run.diagnosis.is_object()) {
    const std::string verdict = run.diagnosis.value("verdict", std::string("unknown"));
    page.add_callout("Diagnosis: " + verdict + ".",
                     join(run.diagnosis.value("reasons", Json::array()), "; ") +
                         (run.diagnosis.contains("advice") && !run.diagnosis["advice"].empty()
                              ? " Advice: " + join(run.diagnosis["advice"], "; ")
                              : ""),
                     verdict != "good" && verdict != "good fit");
  }
}

void add_run_facts(HtmlReport& page, const RunSummary& run) {
  page.add_key_values({{"run", run.run_id},
                       {"architecture", run.arch},
                       {"dataset version", run.dataset_version},
                       {"status", run.status},
                       {"code commit", run.code_commit},
                       {"seed", std::to_string(run.seed)},
                       {"epochs", std::to_string(run.epochs.size())},
                       {"config", run.config.dump()}});
}

void add_bench(HtmlReport& page, const Json& bench) {
  if (!bench.is_object() || !bench.contains("rows")) return;
  page.add_heading("Benchmark");
  page.add_paragraph("Batch 1, " + std::to_string(bench.value("cores", 0)) + " cores, load average " +
                     format_fixed(bench.value("load_average", 0.0), 2) + " when it ran; latencies in milliseconds.");
  std::vector<std::vector<std::string>> rows;
  for (const Json& row : bench["rows"]) {
    if (row.contains("error")) {
      rows.push_back({row.value("engine", ""), std::to_string(row.value("threads", 1)), "-", "-", "-", "-", "-",
                      row["error"].get<std::string>()});
      continue;
    }
    const Json latency = row.value("latency_ms", Json::object());
    const Json accuracy = row.value("accuracy", Json());
    rows.push_back({row.value("engine", ""), std::to_string(row.value("threads", 1)),
                    format_fixed(latency.value("p50", 0.0), 3), format_fixed(latency.value("p99", 0.0), 3),
                    format_fixed(row.value("images_per_second", 0.0), 0),
                    format_fixed(row.value("file_bytes", 0) / kKilobytesPerMegabyte, 1),
                    accuracy.is_number() ? format_percent(accuracy.get<double>()) : "-",
                    row.value("pareto", false) ? "Pareto front" : ""});
  }
  page.add_table({"engine", "threads", "p50 ms", "p99 ms", "images/s", "file KB", "accuracy", "note"}, rows, {1, 2, 3, 4, 5, 6});
}

}  // namespace

std::string render_run_report(const RunReportData& data) {
  HtmlReport page("Training run " + data.run.run_id, data.run.arch + " on " + data.run.dataset_version);
  add_run_facts(page, data.run);
  add_curves(page, data.run);
  if (data.balance) add_balance(page, *data.balance);
  return page.render();
}

std::string render_model_report(const ModelReportData& data) {
  const ModelSummary& model = data.model;
  HtmlReport page("Model " + model.model_id, model.arch + " (" + model.kind + ")");
  page.add_key_values({{"model", model.model_id},
                       {"architecture", model.arch},
                       {"kind", model.kind},
                       {"parameters", std::to_string(model.parameters)},
                       {"MFLOPs per image", format_fixed(model.mflops, 2)},
                       {"validation accuracy", model.val_accuracy ? format_percent(*model.val_accuracy) : "-"}});
  if (data.run) add_curves(page, *data.run);
  for (const EvaluationSummary& evaluation : data.evaluations) {
    if (evaluation.confusion.empty()) continue;
    page.add_heading("Confusion matrix: " + evaluation.split + " (" + format_percent(evaluation.accuracy) + ")");
    page.add_svg(heatmap_svg({evaluation.split + ", accuracy " + format_percent(evaluation.accuracy), "", "",
                              kSquareChart + 80, kSquareChart},
                             evaluation.labels, evaluation.labels, evaluation.confusion));
  }
  std::vector<std::vector<std::string>> uses;
  for (const EvaluationSummary& evaluation : data.evaluations) {
    if (evaluation.split.rfind("test:", 0) != 0) continue;
    uses.push_back({evaluation.split, format_percent(evaluation.accuracy), evaluation.created_at,
                    evaluation.forced ? "yes (--force)" : "no",
                    evaluation.earlier_models > 0 ? "reused: " + std::to_string(evaluation.earlier_models) + " earlier models"
                                                  : "fresh"});
  }
  if (!uses.empty()) {
    page.add_heading("Test-set uses");
    page.add_table({"test set", "accuracy", "when", "forced", "test set"}, uses, {1});
  }
  add_bench(page, data.bench);
  if (data.balance) add_balance(page, *data.balance);
  return page.render();
}

std::string render_sweep_report(const SweepReportData& data) {
  HtmlReport page("Sweep " + data.sweep_id, "architecture ladder on " + data.dataset_version);
  std::vector<ScatterPoint> points;
  for (const SweepPoint& point : data.points) {
    points.push_back({point.latency_ms, point.accuracy, point.size_kb,
                      point.name + " — " + format_percent(point.accuracy) + ", " + format_fixed(point.latency_ms, 3) +
                          " ms, " + format_fixed(point.size_kb, 1) + " KB",
                      point.on_front, point.picked});
  }
  page.add_heading("Latency against accuracy");
  page.add_paragraph("Each marker is one architecture; its area is the size of the model file the device loads. Green "
                     "markers are on the Pareto front (no other is both faster and more accurate); the ringed one was "
                     "picked. Candidates stopped at an early rung trained for fewer steps than the final one.");
  page.add_svg(scatter_svg({"Validation accuracy vs batch-1 latency", "latency, ms (log scale)", "validation accuracy",
                            kWideChart, 440},
                           points, /*log_x=*/true));
  if (!data.pick_reason.empty()) page.add_callout("Pick:", data.pick_reason, false);
  std::vector<std::vector<std::string>> rows;
  for (const SweepPoint& point : data.points) {
    const std::string rung = point.rung > 0 ? std::to_string(point.rung) + " of " + std::to_string(point.rungs) : "-";
    rows.push_back({point.name, rung, format_percent(point.accuracy), format_fixed(point.latency_ms, 3),
                    format_fixed(point.size_kb, 1), point.on_front ? "yes" : "", point.picked ? "picked" : "",
                    point.status});
  }
  page.add_heading("Ladder");
  page.add_table({"architecture", "rung", "val accuracy", "p50 ms", "size KB", "Pareto", "", "status"}, rows, {2, 3, 4});
  return page.render();
}

std::string render_edge_report(const EdgeLogData& data) {
  HtmlReport page("Edge run", data.source_path);
  std::vector<EventMarker> markers;
  for (const EdgeLogData::Event& event : data.events) {
    if (event.kind == "status") continue;
    const std::string color = event.kind == "run" ? "#7f7f7f" : event.kind.rfind("drift", 0) == 0 ? "#9467bd" : "#d62728";
    markers.push_back({event.frame, event.kind == "run" ? event.detail : event.kind, color});
  }
  page.add_key_values({{"runs in this log", std::to_string(data.runs)},
                       {"predictions", std::to_string(data.predictions)},
                       {"drift events", std::to_string(std::count_if(data.events.begin(), data.events.end(),
                                                                      [](const auto& e) { return e.kind == "drift"; }))},
                       {"camera state changes", std::to_string(std::count_if(data.events.begin(), data.events.end(),
                                                                       [](const auto& e) { return e.kind == "camera"; }))},
                       {"frames captured", std::to_string(data.captures)}});
  page.add_heading("Drift");
  page.add_svg(line_chart_svg({"Prediction confidence and drift state", "frame", "top-1 score / drift (0-1)", kWideChart, 300,
                               0.0, 1.05},
                              {{"top-1 score", data.frames, data.confidence, palette_color(0)},
                               {"drift active", data.drift_frames, data.drift_active, palette_color(4), false, /*step=*/true}},
                              markers));
  page.add_heading("Camera health");
  page.add_paragraph("Brightness, sharpness and state of the frames edgeloop-edge sampled (every few frames, and at "
                     "every change of state).");
  page.add_svg(line_chart_svg({"Brightness and health state", "frame", "mean gray level", kWideChart, 300},
                              {{"brightness", data.health_frames, data.brightness, palette_color(1)}}, markers));
  page.add_svg(line_chart_svg({"Sharpness", "frame", "variance of Laplacian", kWideChart, 260},
                              {{"sharpness", data.health_frames, data.sharpness, palette_color(2)}}, markers));
  page.add_svg(line_chart_svg({"Health state (0 ok, 1 degraded, 2 failed)", "frame", "state", kWideChart, 200, 0.0, 2.2},
                              {{"state", data.health_frames, data.health_state, palette_color(3), false, true}}, markers));
  page.add_heading("Latency");
  page.add_svg(line_chart_svg({"End-to-end latency per frame", "frame", "milliseconds", kWideChart, 260},
                              {{"latency", data.frames, data.latency_ms, palette_color(5)}}));
  std::vector<std::vector<std::string>> rows;
  for (const EdgeLogData::Event& event : data.events) rows.push_back({format_fixed(event.frame, 0), event.kind, event.detail});
  page.add_heading("Events");
  page.add_table({"frame", "event", "detail"}, rows, {0});
  return page.render();
}

}  // namespace edgeloop
