#include "edgeloop/report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace edgeloop {

namespace {

// Plot area margins in pixels: room for the title, tick labels and axis labels.
constexpr double kMarginLeft = 64;
constexpr double kMarginRight = 24;
constexpr double kMarginTop = 36;
constexpr double kMarginBottom = 48;
constexpr int kTargetTicks = 5;
constexpr double kLegendRowHeight = 16;
constexpr double kMaxMarkerRadius = 14;
constexpr double kMinMarkerRadius = 3;

std::string number(double value) {
  char text[32];
  if (std::fabs(value) < 1e-12) value = 0.0;   // no "-0" tick labels
  if (std::fabs(value) >= 1000 || value == std::floor(value)) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else if (std::fabs(value) >= 10) {
    std::snprintf(text, sizeof text, "%.1f", value);
  } else {
    std::snprintf(text, sizeof text, "%.3g", value);
  }
  return text;
}

// Round numbers 1, 2, 5 × 10^k covering [low, high] with about kTargetTicks ticks.
std::vector<double> nice_ticks(double low, double high) {
  if (!(high > low)) high = low + 1;
  const double raw_step = (high - low) / kTargetTicks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= raw_step) break;
  }
  std::vector<double> ticks;
  for (double tick = std::ceil(low / step) * step; tick <= high + step * 1e-9; tick += step) ticks.push_back(tick);
  return ticks;
}

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double value) {
    if (!std::isfinite(value)) return;
    low = std::min(low, value);
    high = std::max(high, value);
  }
  void finish() {
    if (!std::isfinite(low)) low = 0, high = 1;
    if (high - low < 1e-12) {
      low -= 0.5;
      high += 0.5;
    }
  }
};

// Maps data to pixels inside the plot area, and writes the frame, axes, grid and labels.
class Plot {
 public:
  Plot(const ChartFrame& frame, Range x, Range y, bool log_x = false) : frame_(frame), x_(x), y_(y), log_x_(log_x) {
    if (frame.y_min) y_.low = *frame.y_min;
    if (frame.y_max) y_.high = *frame.y_max;
    if (log_x_) {
      x_.low = std::log10(std::max(x_.low, 1e-9));
      x_.high = std::log10(std::max(x_.high, 1e-9));
      x_.finish();
    }
    const double x_pad = (x_.high - x_.low) * 0.04;
    x_.low -= x_pad;
    x_.high += x_pad;
  }
  double px(double x) const {
    const double value = log_x_ ? std::log10(std::max(x, 1e-9)) : x;
    return kMarginLeft + (value - x_.low) / (x_.high - x_.low) * (frame_.width - kMarginLeft - kMarginRight);
  }
  double py(double y) const {
    return frame_.height - kMarginBottom - (y - y_.low) / (y_.high - y_.low) * (frame_.height - kMarginTop - kMarginBottom);
  }
  void open(std::ostringstream& svg, bool x_ticks = true) const {
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << frame_.width << "\" height=\""
        << frame_.height << "\" viewBox=\"0 0 " << frame_.width << " " << frame_.height
        << "\" font-family=\"sans-serif\" font-size=\"11\">";
    svg << "<text x=\"" << frame_.width / 2 << "\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
        << escape_xml(frame_.title) << "</text>";
    const double left = kMarginLeft, right = frame_.width - kMarginRight;
    const double top = kMarginTop, bottom = frame_.height - kMarginBottom;
    for (double tick : nice_ticks(y_.low, y_.high)) {
      svg << "<line x1=\"" << left << "\" x2=\"" << right << "\" y1=\"" << py(tick) << "\" y2=\"" << py(tick)
          << "\" stroke=\"#e5e5e5\"/>";
      svg << "<text x=\"" << left - 6 << "\" y=\"" << py(tick) + 4 << "\" text-anchor=\"end\">" << number(tick) << "</text>";
    }
    if (x_ticks) {
      for (double tick : nice_ticks(x_.low, x_.high)) {
        const double value = log_x_ ? std::pow(10.0, tick) : tick;
        if (log_x_ && tick != std::floor(tick)) continue;
        svg << "<text x=\"" << px(value) << "\" y=\"" << bottom + 16 << "\" text-anchor=\"middle\">" << number(value)
            << "</text>";
      }
    }
    svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << right - left << "\" height=\"" << bottom - top
        << "\" fill=\"none\" stroke=\"#999\"/>";
    svg << "<text x=\"" << (left + right) / 2 << "\" y=\"" << frame_.height - 8 << "\" text-anchor=\"middle\">"
        << escape_xml(frame_.x_label) << "</text>";
    svg << "<text transform=\"translate(14," << (top + bottom) / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
        << escape_xml(frame_.y_label) << "</text>";
  }
  double right() const { return frame_.width - kMarginRight; }
  double top() const { return kMarginTop; }
  double bottom() const { return frame_.height - kMarginBottom; }

 private:
  ChartFrame frame_;
  Range x_, y_;
  bool log_x_;
};

void legend(std::ostringstream& svg, const Plot& plot, const std::vector<std::pair<std::string, std::string>>& entries) {
  double y = plot.top() + 12;
  for (const auto& [name, color] : entries) {
    svg << "<rect x=\"" << plot.right() - 130 << "\" y=\"" << y - 8 << "\" width=\"10\" height=\"10\" fill=\"" << color
        << "\"/><text x=\"" << plot.right() - 116 << "\" y=\"" << y + 1 << "\">" << escape_xml(name) << "</text>";
    y += kLegendRowHeight;
  }
}

}  // namespace

std::string escape_xml(const std::string& text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char character : text) {
    switch (character) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      default: escaped += character;
    }
  }
  return escaped;
}

const std::string& palette_color(size_t index) {
  // Matplotlib's "tab10": distinct, colour-blind tolerable, well known to readers of ML plots.
  static const std::vector<std::string> colors = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return colors[index % colors.size()];
}

std::string line_chart_svg(const ChartFrame& frame, const std::vector<LineSeries>& series,
                           const std::vector<EventMarker>& markers, const std::vector<ReferenceLine>& references) {
  Range x, y;
  for (const LineSeries& line : series) {
    for (double value : line.x) x.add(value);
    for (double value : line.y) y.add(value);
  }
  for (const EventMarker& marker : markers) x.add(marker.x);
  for (const ReferenceLine& reference : references) y.add(reference.y);
  x.finish();
  y.finish();
  const Plot plot(frame, x, y);
  std::ostringstream svg;
  plot.open(svg);
  for (const ReferenceLine& reference : references) {
    svg << "<line x1=\"" << plot.px(x.low) << "\" x2=\"" << plot.right() << "\" y1=\"" << plot.py(reference.y)
        << "\" y2=\"" << plot.py(reference.y) << "\" stroke=\"" << reference.color
        << "\" stroke-dasharray=\"2,3\"/><text x=\"" << plot.px(x.low) + 4 << "\" y=\"" << plot.py(reference.y) - 3
        << "\" fill=\"" << reference.color << "\">" << escape_xml(reference.label) << "</text>";
  }
  constexpr double kMinLabelGap = 48;   // pixels between marker labels, so close events stay readable
  double last_label_x = -1e9;
  for (const EventMarker& marker : markers) {
    const bool labelled = plot.px(marker.x) - last_label_x >= kMinLabelGap;
    if (labelled) last_label_x = plot.px(marker.x);
    svg << "<g><title>" << escape_xml(marker.label) << " at " << number(marker.x) << "</title><line x1=\""
        << plot.px(marker.x) << "\" x2=\"" << plot.px(marker.x) << "\" y1=\"" << plot.top() << "\" y2=\"" << plot.bottom()
        << "\" stroke=\"" << marker.color << "\" stroke-width=\"1.5\"/>";
    if (labelled) {
      svg << "<text x=\"" << plot.px(marker.x) + 3 << "\" y=\"" << plot.top() + 10 << "\" fill=\"" << marker.color
          << "\" font-size=\"10\">" << escape_xml(marker.label) << "</text>";
    }
    svg << "</g>";
  }
  std::vector<std::pair<std::string, std::string>> entries;
  for (const LineSeries& line : series) {
    const size_t count = std::min(line.x.size(), line.y.size());
    if (count == 0) continue;
    // One path; a non-finite y ends a segment (separate runs of one log are not joined).
    std::ostringstream path;
    bool in_segment = false;
    for (size_t index = 0; index < count; ++index) {
      if (!std::isfinite(line.y[index])) {
        in_segment = false;
        continue;
      }
      if (line.step && in_segment) path << "L" << plot.px(line.x[index]) << "," << plot.py(line.y[index - 1]) << " ";
      path << (in_segment ? "L" : "M") << plot.px(line.x[index]) << "," << plot.py(line.y[index]) << " ";
      in_segment = true;
    }
    svg << "<path fill=\"none\" stroke=\"" << line.color << "\" stroke-width=\"2\""
        << (line.dashed ? " stroke-dasharray=\"6,4\"" : "") << " d=\"" << path.str() << "\"><title>"
        << escape_xml(line.name) << "</title></path>";
    if (count <= 60) {   // dots with tooltips while they stay readable
      for (size_t index = 0; index < count; ++index) {
        if (!std::isfinite(line.y[index])) continue;
        svg << "<circle cx=\"" << plot.px(line.x[index]) << "\" cy=\"" << plot.py(line.y[index]) << "\" r=\"2.5\" fill=\""
            << line.color << "\"><title>" << escape_xml(line.name) << ": " << number(line.y[index]) << " at "
            << number(line.x[index]) << "</title></circle>";
      }
    }
    entries.emplace_back(line.name, line.color);
  }
  legend(svg, plot, entries);
  svg << "</svg>";
  return svg.str();
}

std::string bar_chart_svg(const ChartFrame& frame, const std::vector<std::string>& categories,
                          const std::vector<std::string>& series_names, const std::vector<std::vector<double>>& values) {
  Range x, y;
  x.add(0);
  x.add(static_cast<double>(categories.size()));
  y.add(0);
  for (const auto& row : values) {
    for (double value : row) y.add(value);
  }
  x.finish();
  y.finish();
  ChartFrame fixed = frame;
  fixed.y_min = 0.0;
  fixed.y_max = y.high * 1.1;
  const Plot plot(fixed, x, y);
  std::ostringstream svg;
  plot.open(svg, /*x_ticks=*/false);
  const double slot = plot.px(1) - plot.px(0);
  const double bar_width = slot * 0.8 / std::max<size_t>(series_names.size(), 1);
  for (size_t category = 0; category < categories.size(); ++category) {
    for (size_t series = 0; series < values.size(); ++series) {
      if (category >= values[series].size()) continue;
      const double value = values[series][category];
      const double left = plot.px(static_cast<double>(category)) + slot * 0.1 + bar_width * series;
      svg << "<rect x=\"" << left << "\" y=\"" << plot.py(value) << "\" width=\"" << bar_width << "\" height=\""
          << plot.py(0) - plot.py(value) << "\" fill=\"" << palette_color(series) << "\"><title>"
          << escape_xml(categories[category]) << " / " << escape_xml(series < series_names.size() ? series_names[series] : "")
          << ": " << number(value) << "</title></rect>";
    }
    svg << "<text x=\"" << plot.px(category + 0.5) << "\" y=\"" << plot.bottom() + 14
        << "\" text-anchor=\"middle\" font-size=\"10\">" << escape_xml(categories[category]) << "</text>";
  }
  std::vector<std::pair<std::string, std::string>> entries;
  for (size_t series = 0; series < series_names.size(); ++series) entries.emplace_back(series_names[series], palette_color(series));
  legend(svg, plot, entries);
  svg << "</svg>";
  return svg.str();
}

std::string heatmap_svg(const ChartFrame& frame, const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& column_labels, const std::vector<std::vector<double>>& values) {
  constexpr double kLabelWidth = 90;
  constexpr double kHeaderHeight = 70;
  const double columns = std::max<size_t>(column_labels.size(), 1);
  const double rows = std::max<size_t>(row_labels.size(), 1);
  const double cell = std::min((frame.width - kLabelWidth - 10) / columns, (frame.height - kHeaderHeight - 30) / rows);
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << frame.width << "\" height=\""
      << frame.height << "\" viewBox=\"0 0 " << frame.width << " " << frame.height
      << "\" font-family=\"sans-serif\" font-size=\"10\">";
  svg << "<text x=\"" << frame.width / 2 << "\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
      << escape_xml(frame.title) << "</text>";
  for (size_t column = 0; column < column_labels.size(); ++column) {
    const double x = kLabelWidth + cell * (column + 0.5);
    svg << "<text transform=\"translate(" << x << "," << kHeaderHeight - 4 << ") rotate(-45)\">"
        << escape_xml(column_labels[column]) << "</text>";
  }
  for (size_t row = 0; row < row_labels.size() && row < values.size(); ++row) {
    double row_total = 0;
    for (double value : values[row]) row_total += value;
    const double y = kHeaderHeight + cell * row;
    svg << "<text x=\"" << kLabelWidth - 6 << "\" y=\"" << y + cell / 2 + 4 << "\" text-anchor=\"end\">"
        << escape_xml(row_labels[row]) << "</text>";
    for (size_t column = 0; column < values[row].size() && column < column_labels.size(); ++column) {
      const double share = row_total > 0 ? values[row][column] / row_total : 0;
      // White → blue for the diagonal (correct), white → red elsewhere (confusions).
      const int fade = static_cast<int>(255 * (1 - std::min(1.0, share * (row == column ? 1.0 : 3.0))));
      char fill[16];
      if (row == column) {
        std::snprintf(fill, sizeof fill, "#%02x%02xff", fade, fade);
      } else {
        std::snprintf(fill, sizeof fill, "#ff%02x%02x", fade, fade);
      }
      const double x = kLabelWidth + cell * column;
      svg << "<g><title>true " << escape_xml(row_labels[row]) << ", predicted " << escape_xml(column_labels[column])
          << ": " << number(values[row][column]) << " (" << number(share * 100) << "% of the row)</title><rect x=\"" << x
          << "\" y=\"" << y << "\" width=\"" << cell << "\" height=\"" << cell << "\" fill=\"" << fill
          << "\" stroke=\"#fff\"/><text x=\"" << x + cell / 2 << "\" y=\"" << y + cell / 2 + 4
          << "\" text-anchor=\"middle\" fill=\"" << (share > 0.6 ? "#fff" : "#000") << "\">" << number(values[row][column])
          << "</text></g>";
    }
  }
  svg << "<text x=\"" << kLabelWidth + cell * columns / 2 << "\" y=\"" << frame.height - 6
      << "\" text-anchor=\"middle\">rows: true class; columns: predicted class</text>";
  svg << "</svg>";
  return svg.str();
}

std::string scatter_svg(const ChartFrame& frame, const std::vector<ScatterPoint>& points, bool log_x,
                        const std::string& ring_legend) {
  Range x, y;
  double largest = 0;
  for (const ScatterPoint& point : points) {
    x.add(point.x);
    y.add(point.y);
    largest = std::max(largest, point.size);
  }
  x.finish();
  y.finish();
  const double y_pad = (y.high - y.low) * 0.08;
  ChartFrame padded = frame;
  if (!padded.y_min) padded.y_min = y.low - y_pad;
  if (!padded.y_max) padded.y_max = y.high + y_pad;
  const Plot plot(padded, x, y, log_x);
  std::ostringstream svg;
  plot.open(svg);
  std::vector<ScatterPoint> front;
  for (const ScatterPoint& point : points) {
    if (point.highlighted) front.push_back(point);
  }
  std::sort(front.begin(), front.end(), [](const ScatterPoint& a, const ScatterPoint& b) { return a.x < b.x; });
  if (front.size() > 1) {
    svg << "<polyline fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"1.5\" stroke-dasharray=\"4,3\" points=\"";
    for (const ScatterPoint& point : front) svg << plot.px(point.x) << "," << plot.py(point.y) << " ";
    svg << "\"/>";
  }
  for (const ScatterPoint& point : points) {
    const double radius = largest > 0 ? std::max(kMinMarkerRadius, kMaxMarkerRadius * std::sqrt(point.size / largest))
                                      : kMinMarkerRadius;
    const char* color = point.highlighted ? "#2ca02c" : "#1f77b4";
    svg << "<g><title>" << escape_xml(point.label) << "</title><circle cx=\"" << plot.px(point.x) << "\" cy=\""
        << plot.py(point.y) << "\" r=\"" << radius << "\" fill=\"" << color << "\" fill-opacity=\"0.55\" stroke=\"" << color
        << "\"/>";
    if (point.picked) {
      svg << "<circle cx=\"" << plot.px(point.x) << "\" cy=\"" << plot.py(point.y) << "\" r=\"" << radius + 4
          << "\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>";
    }
    if (point.highlighted || point.picked) {
      svg << "<text x=\"" << plot.px(point.x) + radius + 3 << "\" y=\"" << plot.py(point.y) - 3 << "\" font-size=\"10\">"
          << escape_xml(point.label.substr(0, point.label.find(' '))) << "</text>";
    }
    svg << "</g>";
  }
  legend(svg, plot, {{"Pareto front", "#2ca02c"}, {"dominated", "#1f77b4"}, {ring_legend, "#d62728"}});
  svg << "</svg>";
  return svg.str();
}

}  // namespace edgeloop
