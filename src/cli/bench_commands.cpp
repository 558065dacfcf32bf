// `edgeloop bench BUNDLE|MODEL|FILE.onnx`: speed and accuracy of a model on every engine and
// setting, as a table (or --json) and an SVG plot of accuracy against latency.
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/cli_context.h"
#include "edgeloop/report/benchmark_plot.h"
#include "edgeloop/runtime/benchmark.h"
#include "edgeloop/runtime/benchmark_subject.h"
#include "edgeloop/runtime/onnxruntime_peer.h"
#include "edgeloop/train/torch_threads.h"

namespace edgeloop::cli {
namespace {

struct BenchFlags {
  std::string target;
  std::vector<std::string> engines;
  std::vector<int> threads = {1};
  std::vector<int> batches = {1};
  double max_latency_ms = 0.0;
  double max_ram_mb = 0.0;
  std::string validation;
  int images = 1000;
  int iterations = 200;
  std::string plot;
};

void print_table(const BenchmarkReport& report, const std::string& plot) {
  std::printf("bench %s: %d validation images, load average %.2f on %d cores\n", report.subject.c_str(),
              report.validation_images, report.load_average, report.cores);
  std::printf("%-17s %3s %5s %9s %8s %8s %8s %8s %9s %9s %8s %7s  %s\n", "engine", "thr", "batch", "size KB",
              "load ms", "p50 ms", "p90 ms", "p99 ms", "p50+pre", "img/s", "RSS MB", "acc", "flags");
  for (const BenchmarkRow& row : report.rows) {
    if (!row.error.empty()) {
      std::printf("%-17s %3d %5d  -- %s\n", row.engine.c_str(), row.threads, row.batch, row.error.c_str());
      continue;
    }
    char accuracy[16] = "-", rss[16] = "-", preprocess[16] = "-";
    if (row.accuracy) std::snprintf(accuracy, sizeof(accuracy), "%.4f", *row.accuracy);
    if (row.peak_rss_mb >= 0) std::snprintf(rss, sizeof(rss), "%.1f", row.peak_rss_mb);
    if (row.p50_with_preprocess_ms > 0) std::snprintf(preprocess, sizeof(preprocess), "%.3f", row.p50_with_preprocess_ms);
    std::string flags = std::string(row.pareto ? "pareto " : "") + (row.over_latency ? "OVER-LATENCY " : "") +
                        (row.over_ram ? "OVER-RAM" : "");
    std::printf("%-17s %3d %5d %9.1f %8.2f %8.3f %8.3f %8.3f %9s %9.1f %8s %7s  %s\n", row.engine.c_str(), row.threads,
                row.batch, double(row.file_bytes) / 1024.0, row.load_ms, row.p50_ms, row.p90_ms, row.p99_ms, preprocess,
                row.images_per_second, rss, accuracy, flags.c_str());
  }
  if (!plot.empty()) std::printf("plot: %s\n", plot.c_str());
}

}  // namespace

void add_bench_commands(CLI::App& app, CliContext& context) {
  auto flags = std::make_shared<BenchFlags>();
  auto* bench = app.add_subcommand("bench", "Speed and accuracy of a bundle, model or ONNX file on each engine");
  bench->add_option("target", flags->target, "Bundle folder, model id, or .onnx file")->required();
  bench->add_option("--engines", flags->engines,
                    "Engines: xnnpack,xnnpack-int8,onednn,onednn-int8,opencv,opencv-int8,onnxruntime,onnxruntime-int8,torch,reference")
      ->delimiter(',');
  bench->add_option("--threads", flags->threads, "Thread counts to try, e.g. 1,2")->delimiter(',');
  bench->add_option("--batch", flags->batches, "Batch sizes for throughput, e.g. 1,8")->delimiter(',');
  bench->add_option("--max-latency-ms", flags->max_latency_ms, "Flag rows whose batch-1 p50 is above this");
  bench->add_option("--max-ram-mb", flags->max_ram_mb, "Flag rows whose peak RSS is above this");
  bench->add_option("--validation", flags->validation, "Folder of class subfolders (default: the dataset's val split)");
  bench->add_option("--images", flags->images, "Validation images to use at most");
  bench->add_option("--iterations", flags->iterations, "Timed batch-1 runs per row");
  bench->add_option("--plot", flags->plot, "SVG of accuracy vs latency (default: bench.svg here, with accuracy)");
  bench->callback([&context, flags] {
    run_command(context, [&] {
      BenchmarkTargetOptions target;
      if (auto found = Workspace::find(std::filesystem::current_path()); found || !context.workspace_flag.empty()) {
        target.workspace = context.workspace();
      }
      target.validation_folder = flags->validation;
      target.max_validation_images = flags->images;
      BenchmarkSubject subject = resolve_benchmark_subject(flags->target, target);

      BenchmarkOptions options;
      options.engines = flags->engines.empty() ? default_engines(subject) : flags->engines;
      options.threads = flags->threads;
      options.batches = flags->batches;
      options.iterations = flags->iterations;
      options.max_validation_images = flags->images;
      options.max_latency_ms = flags->max_latency_ms;
      options.max_ram_mb = flags->max_ram_mb;
      if (auto peer = locate_onnxruntime_peer()) options.onnxruntime_peer = *peer;
      options.progress = context.progress_bar();
      options.thread_settings = {torch_thread_setting()};   // the torch engine's rows
      BenchmarkReport report = run_benchmark(subject, options);

      std::string plot = flags->plot.empty() ? "bench.svg" : flags->plot;
      if (!write_benchmark_plot(report, plot)) plot.clear();
      if (context.json) {
        Json json = benchmark_to_json(report);
        json["plot"] = plot.empty() ? Json(nullptr) : Json(plot);
        std::cout << json.dump(2) << "\n";
      } else {
        print_table(report, plot);
      }
    });
  });
}

}  // namespace edgeloop::cli
