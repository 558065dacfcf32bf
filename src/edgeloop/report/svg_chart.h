// SVG charts drawn by hand: line charts (learning curves, timelines), grouped bars (class balance),
// a heatmap (confusion matrix) and a scatter (the sweep's Pareto plot). Each returns one
// self-contained <svg> element with inline styles, so a report needs no script, font or network
// to show them; points carry <title> tooltips. Called by report_pages.h. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace edgeloop {

struct ChartFrame {
  std::string title;                 // above the plot
  std::string x_label;               // under the x axis
  std::string y_label;               // beside the y axis
  int width = 640;                   // pixels
  int height = 300;                  // pixels
  std::optional<double> y_min;       // fixed axis range; default: from the data
  std::optional<double> y_max;
};

struct LineSeries {
  std::string name;                  // legend text
  std::vector<double> x;             // same length as y
  std::vector<double> y;             // a non-finite value ends the line there; the next point starts a new segment
  std::string color = "#1f77b4";     // CSS colour
  bool dashed = false;
  bool step = false;                 // hold each value until the next x (states, counts)
};

// A vertical marker at x, e.g. "drift raised" or "camera fault".
struct EventMarker {
  double x = 0.0;
  std::string label;
  std::string color = "#d62728";
};

// A horizontal reference line, e.g. a threshold.
struct ReferenceLine {
  double y = 0.0;
  std::string label;
  std::string color = "#7f7f7f";
};

std::string line_chart_svg(const ChartFrame& frame, const std::vector<LineSeries>& series,
                           const std::vector<EventMarker>& markers = {},
                           const std::vector<ReferenceLine>& references = {});

// Bars grouped by category: values[series][category].
std::string bar_chart_svg(const ChartFrame& frame, const std::vector<std::string>& categories,
                          const std::vector<std::string>& series_names, const std::vector<std::vector<double>>& values);

// A matrix heatmap, rows × columns; each cell shows its count, shaded by its share of the row.
std::string heatmap_svg(const ChartFrame& frame, const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& column_labels, const std::vector<std::vector<double>>& values);

struct ScatterPoint {
  double x = 0.0;
  double y = 0.0;
  double size = 1.0;                 // marker area scales with this (any unit; scaled to the largest)
  std::string label;                 // tooltip and, when highlighted, a text label
  bool highlighted = false;          // on the Pareto front
  bool picked = false;               // the chosen point (drawn with a ring)
};

// Scatter with optional log-scaled x; highlighted points are joined in x order (the front).
// `ring_legend` says what a ring means ("picked", or "over a limit" on the benchmark's plot).
std::string scatter_svg(const ChartFrame& frame, const std::vector<ScatterPoint>& points, bool log_x,
                        const std::string& ring_legend = "picked (ring)");

// Escapes &, <, >, " and ' for HTML and SVG text and attributes.
std::string escape_xml(const std::string& text);

// Shared palette so that a series keeps its colour across charts.
const std::string& palette_color(size_t index);

}  // namespace edgeloop
