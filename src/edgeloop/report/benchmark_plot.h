// The benchmark's plot: accuracy against batch-1 p50 latency (log scale) of the rows with an
// accuracy, the Pareto front joined, drawn by the one chart renderer (report/svg_chart.h) as a
// standalone SVG file. Called by `edgeloop bench`. Pure but for the file write; thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "edgeloop/runtime/benchmark.h"

namespace edgeloop {

// The <svg> document, or nullopt when no row of the first batch size has an accuracy.
std::optional<std::string> benchmark_plot_svg(const BenchmarkReport& report);

// Writes benchmark_plot_svg atomically to `svg`; false (nothing written) when there is no plot.
bool write_benchmark_plot(const BenchmarkReport& report, const std::filesystem::path& svg);

}  // namespace edgeloop
