#include "edgeloop/report/loop_report.h"

#include <algorithm>
#include <deque>

#include "edgeloop/report/html_report.h"
#include "edgeloop/report/svg_chart.h"

namespace edgeloop {

namespace {

constexpr int kWideChart = 900;
constexpr size_t kAccuracyWindowFrames = 50;   // the timeline's accuracy is over this many frames of one model

std::string count_text(int64_t count) { return std::to_string(count); }

void add_counts(HtmlReport& page, const std::string& what, const std::string& unit, const std::map<std::string, int64_t>& counts) {
  std::vector<std::vector<std::string>> rows;
  int64_t total = 0;
  for (const auto& [name, count] : counts) {
    rows.push_back({name, count_text(count)});
    total += count;
  }
  rows.push_back({"total", count_text(total)});
  page.add_table({what, unit}, rows, {1});
}

void add_gate(HtmlReport& page, const LoopReportData& data) {
  page.add_heading("The gate: champion against challenger on the frozen test sets");
  std::vector<std::vector<std::string>> rows;
  for (const TestSetFigures& figures : data.gate.figures) {
    double largest_drop = 0.0;
    for (double drop : figures.recall_drop_points) largest_drop = std::max(largest_drop, drop);
    rows.push_back({figures.test_set, figures.captured ? "captured" : "original", count_text(figures.count),
                    format_percent(figures.champion_accuracy), format_percent(figures.challenger_accuracy),
                    count_text(figures.champion_only_right), count_text(figures.challenger_only_right),
                    format_fixed(figures.mcnemar_p, 4), format_fixed(largest_drop, 1)});
  }
  page.add_table({"test set", "kind", "frames", "champion " + data.champion_id, "challenger " + data.challenger_id,
                  "only champion right", "only challenger right", "McNemar p", "largest recall drop (points)"},
                 rows, {2, 3, 4, 5, 6, 7, 8});
  page.add_callout(data.promoted ? "Promoted:" : "Kept the champion:", data.decision, !data.promoted);
}

// Accuracy over the last kAccuracyWindowFrames frames of each model, on the frame axis.
void add_timeline(HtmlReport& page, const LoopReportData& data) {
  page.add_heading("The swap on the stream");
  if (data.stream.empty()) {
    page.add_paragraph("No stream ran after the gate: the challenger was not pushed.");
    return;
  }
  std::vector<LineSeries> series;
  std::map<std::string, size_t> series_of;
  std::map<std::string, std::deque<bool>> windows;
  for (const ScoredFrame& frame : data.stream) {
    auto [found, added] = series_of.emplace(frame.model_id, series.size());
    if (added) {
      const bool challenger = frame.model_id == data.challenger_id;
      series.push_back({(challenger ? "challenger " : "champion ") + frame.model_id, {}, {},
                        palette_color(challenger ? 1 : 0)});
    }
    std::deque<bool>& window = windows[frame.model_id];
    window.push_back(frame.correct);
    if (window.size() > kAccuracyWindowFrames) window.pop_front();
    double right = 0;
    for (bool correct : window) right += correct ? 1 : 0;
    series[found->second].x.push_back(static_cast<double>(frame.frame));
    series[found->second].y.push_back(right / window.size());
  }
  std::vector<EventMarker> markers{{static_cast<double>(data.drift_from_frame), "drift starts", "#9467bd"}};
  if (data.accuracy.first_new_frame >= 0) markers.push_back({static_cast<double>(data.accuracy.first_new_frame), "swap", "#d62728"});
  page.add_svg(line_chart_svg({"Accuracy over the last " + std::to_string(kAccuracyWindowFrames) + " frames of each model", "frame",
                               "accuracy (true class known to the sim: stream)", kWideChart, 300, 0.0, 1.05},
                              series, markers));
  page.add_table({"", "model", "accuracy on the same drifted images"},
                 {{"before the swap", data.champion_id, format_percent(data.accuracy.before())},
                  {"after the swap", data.challenger_id, format_percent(data.accuracy.after())}},
                 {2});
  page.add_paragraph(std::to_string(data.accuracy.images) + " images, each seen drifted by both models; the images " +
                     "whose frames were labelled are left out. First frame of the new model: " +
                     (data.accuracy.first_new_frame >= 0 ? std::to_string(data.accuracy.first_new_frame) : std::string("none")) + ".");
}

}  // namespace

std::string render_loop_report(const LoopReportData& data) {
  HtmlReport page("The loop", "captures → labels → retrain → gate → device");
  page.add_key_values({{"captures", data.captures_version},
                       {"labelled", data.labelled_version + " (order " + data.label_order + ", at most " +
                                        (data.label_budget > 0 ? std::to_string(data.label_budget) : std::string("all")) + " labels)"},
                       {"champion", data.champion_id},
                       {"challenger", data.challenger_id},
                       {"decision", std::string(data.promoted ? "promoted" : "kept the champion") + ": " + data.decision},
                       {"device", data.device},
                       {"accuracy on the drifted stream", format_percent(data.accuracy.before()) + " before the swap, " +
                                                              format_percent(data.accuracy.after()) + " after (" +
                                                              std::to_string(data.accuracy.images) + " images)"},
                       {"retrain, gate, push", format_fixed(data.retrain_seconds, 1) + " s, " + format_fixed(data.gate_seconds, 1) +
                                                   " s, " + format_fixed(data.push_seconds, 1) + " s"}});
  page.add_heading("Captures by reason");
  add_counts(page, "reason", "frames", data.captures_by_reason);
  page.add_heading("Labels by provenance");
  add_counts(page, "provenance", "labels", data.labels_by_provenance);
  add_gate(page, data);
  add_timeline(page, data);
  return page.render();
}

}  // namespace edgeloop
