#include "edgeloop/report/benchmark_plot.h"

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/report/svg_chart.h"

namespace edgeloop {
namespace {

constexpr int kPlotWidth = 900;    // pixels
constexpr int kPlotHeight = 560;
constexpr const char* kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

}  // namespace

std::optional<std::string> benchmark_plot_svg(const BenchmarkReport& report) {
  std::vector<ScatterPoint> points;
  for (const BenchmarkRow& row : report.rows) {
    if (!row.error.empty() || !row.accuracy || row.batch != report.rows.front().batch || row.p50_ms <= 0) continue;
    ScatterPoint point;
    point.x = row.p50_ms;
    point.y = *row.accuracy;
    point.label = row.engine + " t" + std::to_string(row.threads) +
                  (row.over_latency || row.over_ram ? " (over a limit)" : "");
    point.highlighted = row.pareto;
    point.picked = row.over_latency || row.over_ram;   // ringed: a limit is exceeded
    points.push_back(point);
  }
  if (points.empty()) return std::nullopt;
  return kXmlDeclaration + scatter_svg({report.subject, "batch-1 latency p50, ms (log scale)", "accuracy", kPlotWidth,
                                        kPlotHeight},
                                       points, /*log_x=*/true, /*ring_legend=*/"over a limit (ring)");
}

bool write_benchmark_plot(const BenchmarkReport& report, const std::filesystem::path& svg) {
  const std::optional<std::string> document = benchmark_plot_svg(report);
  if (!document) return false;
  write_file_atomically(svg, *document);
  return true;
}

}  // namespace edgeloop
