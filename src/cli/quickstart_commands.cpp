// `edgeloop quickstart [--dir DIR] [--minutes M] [--loop --oracle]`: the whole loop on Fashion-MNIST
// in one command (library: src/edgeloop/quickstart/); `--loop --oracle` closes it on the device's
// captures. Prints one line per step as it starts with the time elapsed, one line per sweep candidate's rung (also when stderr is not a terminal), the stages' progress
// bars in between (on a terminal), and a summary table.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/sweep_lines.h"
#include "edgeloop/core/stopwatch.h"
#include "edgeloop/quickstart/quickstart.h"

namespace edgeloop::cli {

void add_quickstart_commands(CLI::App& app, CliContext& context) {
  auto* quickstart = app.add_subcommand("quickstart", "Run the whole loop on the built-in Fashion-MNIST: data to device and back");
  auto options = std::make_shared<QuickstartOptions>();
  auto directory = std::make_shared<std::string>(options->directory.string());
  auto edge_binary = std::make_shared<std::string>();
  quickstart->add_option("--dir", *directory, "Workspace folder (reused when run again)")->capture_default_str();
  quickstart->add_option("--minutes", options->minutes, "Budget for the whole run, in minutes")->capture_default_str();
  quickstart->add_option("--archs", options->archs, "Architectures to sweep, smallest first")->capture_default_str();
  quickstart->add_option("--epochs", options->epochs, "Final sweep rung's epochs at most (0: what the budget allows)")
      ->capture_default_str();
  quickstart->add_option("--stream-frames", options->stream_frames, "Test images streamed to edgeloop-edge")->capture_default_str();
  quickstart->add_option("--drift", options->drift, "sim: corruption of the first stream, KIND[:STRENGTH]@FRAME")
      ->capture_default_str();
  quickstart->add_option("--drift-window", options->drift_window_frames, "Frames edgeloop-edge's drift detector tests at once")
      ->capture_default_str();
  quickstart->add_option("--camera-fault", options->camera_fault, "sim: corruption of the second stream")->capture_default_str();
  quickstart->add_option("--bench-images", options->bench_images, "Validation images the bench scores")->capture_default_str();
  quickstart->add_option("--dataset", options->dataset, "Fashion-MNIST IDX folder")->capture_default_str();
  quickstart->add_option("--edge-binary", *edge_binary, "edgeloop-edge to run (default: beside this edgeloop)");
  quickstart->add_option("--capture-drift-rate", options->capture_drift_rate, "Share of frames edgeloop-edge captures while drift is active")
      ->capture_default_str();
  quickstart->add_flag("--loop", options->loop.enabled,
                       "Close the loop after the drift stage: label the captures, retrain, gate, push to a running edgeloop-edge");
  quickstart->add_flag("--oracle", options->loop.oracle,
                       "With --loop: label the captures with their true class, which the sim: stream knows (provenance oracle)");
  quickstart->add_option("--loop-labels", options->loop.max_labels, "With --loop: most captures labelled (0: all)")->capture_default_str();
  quickstart->add_option("--label-order", options->loop.order, "With --loop: which captures first: entropy, margin, capture or random")
      ->capture_default_str();
  quickstart->add_option("--retrain-seconds", options->loop.retrain_seconds, "With --loop: the challenger's training budget")
      ->capture_default_str();
  quickstart->add_option("--retrain-epochs", options->loop.retrain_epochs, "With --loop: the challenger's epochs (0: the champion's)")
      ->capture_default_str();
  quickstart->add_flag("--retrain-from-scratch", options->loop.retrain_from_scratch,
                       "With --loop: train the champion's architecture anew on the union instead of fine-tuning the champion");
  quickstart->add_option("--max-recall-drop", options->loop.max_recall_drop_points,
                         "With --loop: the gate's largest per-class recall drop on the original test set, in points")
      ->capture_default_str();
  quickstart->add_option("--loop-fps", options->loop.stream_fps, "With --loop: pace of the drifted stream the swap happens in")
      ->capture_default_str();
  quickstart->callback([&context, options, directory, edge_binary] {
    run_command(context, [&] {
      options->directory = *directory;
      options->threads = context.threads;
      if (!edge_binary->empty()) options->edge_binary = *edge_binary;
      const bool quiet = context.quiet;
      const ProgressCallback stage_bar = context.progress_bar();
      const auto started = std::chrono::steady_clock::now();
      options->progress = [quiet, stage_bar, started](const Progress& progress) {
        if (progress.stage != kQuickstartStage) {
          stage_bar(progress);
        } else if (!quiet) {
          const double elapsed = seconds_since(started);
          std::fprintf(stderr, "== quickstart %lld/%lld [%6.1f s]: %s\n", static_cast<long long>(progress.done),
                       static_cast<long long>(progress.total), elapsed, progress.detail.c_str());
          std::fflush(stderr);
        }
      };
      if (!quiet) options->on_sweep_rung = print_sweep_rung;
      const QuickstartSummary summary = run_quickstart(*options);
      if (context.json) {
        std::cout << summary.to_json().dump(2) << "\n";
        return;
      }
      std::cout << "\nedgeloop quickstart finished in " << static_cast<int>(summary.seconds) << " s\n\n";
      for (const auto& [what, value] : summary.table()) std::printf("  %-38s %s\n", what.c_str(), value.c_str());
      std::cout << "\nreports:\n";
      for (const auto& report : summary.reports) std::cout << "  " << report.string() << "\n";
      std::cout << "lineage: edgeloop --workspace " << summary.workspace.string() << " lineage " << summary.bundle.string()
                << "\n";
    });
  });
}

}  // namespace edgeloop::cli
