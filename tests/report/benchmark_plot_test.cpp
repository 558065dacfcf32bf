// The benchmark's plot is the report's SVG scatter: a well-formed SVG file with a point per row
// that has an accuracy, the front marked, the rows over a limit ringed; no file without accuracy.
#include <gtest/gtest.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/report/benchmark_plot.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

BenchmarkRow row(const std::string& engine, double p50_ms, std::optional<double> accuracy, bool over_latency = false) {
  BenchmarkRow made;
  made.engine = engine;
  made.p50_ms = p50_ms;
  made.accuracy = accuracy;
  made.over_latency = over_latency;
  return made;
}

TEST(BenchmarkPlot, is_a_well_formed_svg_with_each_measured_row) {
  BenchmarkReport report;
  report.subject = "cnn-s bundle";
  report.rows = {row("xnnpack", 0.2, 0.91), row("xnnpack-int8", 0.15, 0.90), row("opencv", 0.5, 0.91, true),
                 row("reference", 3.0, std::nullopt)};
  mark_pareto_front(report.rows);
  testing::TempDir folder;
  ASSERT_TRUE(write_benchmark_plot(report, folder / "bench.svg"));
  const std::string svg = read_file(folder / "bench.svg");
  EXPECT_NE(svg.find("xnnpack t1"), std::string::npos);
  EXPECT_NE(svg.find("opencv t1 (over a limit)"), std::string::npos);
  EXPECT_EQ(svg.find("reference t1"), std::string::npos) << "a row without accuracy has no point";
  EXPECT_NE(svg.find("over a limit (ring)"), std::string::npos);
  const auto parsed = testing::run_shell("python3 -c 'import sys, xml.etree.ElementTree as t; "
                                         "print(t.parse(sys.argv[1]).getroot().tag)' " +
                                         testing::shell_quote((folder / "bench.svg").string()) + " 2>&1");
  EXPECT_EQ(parsed.exit_status, 0) << parsed.output;
  EXPECT_NE(parsed.output.find("{http://www.w3.org/2000/svg}svg"), std::string::npos) << parsed.output;
}

TEST(BenchmarkPlot, no_plot_without_an_accuracy) {
  BenchmarkReport report;
  report.rows = {row("xnnpack", 0.2, std::nullopt)};
  testing::TempDir folder;
  EXPECT_FALSE(write_benchmark_plot(report, folder / "bench.svg"));
  EXPECT_FALSE(std::filesystem::exists(folder / "bench.svg"));
}

}  // namespace
}  // namespace edgeloop
