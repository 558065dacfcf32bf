// `edgeloop sweep`: parse, run train/sweep (baselines, then successive halving over the network
// candidates within the budget), print one line per candidate rung as it ends (also when stdout is
// not a terminal), then the table with the rung each candidate reached, the Pareto front and the pick.
#include <cstdio>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/sweep_lines.h"
#include "edgeloop/runtime/model_latency.h"
#include "edgeloop/train/sweep.h"

namespace edgeloop::cli {

namespace {

constexpr double kPercent = 100.0;
constexpr double kBytesPerKilobyte = 1024.0;

}  // namespace

void print_sweep_rung(const SweepRow& row) {
  const std::string rung = row.rung > 0 ? "rung " + std::to_string(row.rung) + "/" + std::to_string(row.rungs) : "baseline";
  std::fprintf(stderr, "sweep: %-16s %-10s val %6.2f%%  %6.1f s  %lld steps  %.1f KB\n", row.arch.c_str(), rung.c_str(),
               row.val_accuracy * kPercent, row.training_seconds, static_cast<long long>(row.steps),
               row.bundle_bytes / kBytesPerKilobyte);
  std::fflush(stderr);
}

namespace {

void print_sweep(const SweepResult& result, bool json) {
  if (json) {
    std::cout << result.to_json().dump(2) << "\n";
    return;
  }
  std::printf("%-3s %-16s %-16s %5s %9s %11s %-8s %9s %11s %9s %-16s %8s\n", "", "arch", "model", "rung", "val_acc",
              "latency_ms", "engine", "size_KB", "parameters", "MFLOPs", "diagnosis", "train_s");
  for (const SweepRow& row : result.rows) {
    const char* mark = row.pick ? "=>" : row.pareto ? "*" : "";
    const std::string rung = row.rung > 0 ? std::to_string(row.rung) + "/" + std::to_string(row.rungs) : "-";
    std::printf("%-3s %-16s %-16s %5s %8.2f%% %11.3f %-8s %9.1f %11lld %9.2f %-16s %8.1f\n", mark, row.arch.c_str(),
                row.model_id.c_str(), rung.c_str(), row.val_accuracy * kPercent, row.latency_ms,
                row.latency_engine.c_str(), row.bundle_bytes / kBytesPerKilobyte, static_cast<long long>(row.parameters),
                row.mflops, row.diagnosis.c_str(), row.training_seconds);
  }
  std::printf("\n* Pareto front (accuracy vs latency), => the pick. Stopped: %s.\n", result.stop_reason.c_str());
  if (!result.skipped.empty()) {
    std::printf("not trained:");
    for (const auto& arch : result.skipped) std::printf(" %s", arch.c_str());
    std::printf("\n");
  }
  std::printf("sweep %s stored in the registry\n", result.id.c_str());
}

}  // namespace

void add_sweep_commands(CLI::App& app, CliContext& context) {
  auto options = std::make_shared<SweepOptions>();
  auto archs = std::make_shared<std::string>();
  auto* sweep = app.add_subcommand("sweep", "Train architectures smallest first until one is good enough");
  sweep->add_option("--data", options->data, "Dataset NAME[@N]")->required();
  sweep->add_option("--archs", *archs, "Comma-separated architectures (default: knn:hog and the whole ladder)");
  sweep->add_option("--target-accuracy", options->target_accuracy, "Stop at the first with this validation accuracy (0..1)");
  sweep->add_option("--max-latency-ms", options->max_latency_ms, "Single-image latency budget");
  sweep->add_option("--budget-minutes", options->budget_minutes,
                    "Budget, converted to training steps by a calibration at the start (successive halving fits in it)");
  sweep->add_option("--epochs", options->train.epochs,
                    "Length of the final rung in epochs, at most (default 10, or what the budget allows)");
  sweep->add_option("--batch", options->train.batch, "Batch size (default 128)");
  sweep->add_option("--lr", options->train.learning_rate, "Peak learning rate (default: each architecture's recipe)");
  sweep->add_option("--schedule", options->train.schedule, "constant, cosine, step or onecycle (default: the recipe's)");
  sweep->add_option("--augment", options->train.augment, "Augmentation spec for every architecture (default: the recipe's)");
  sweep->add_option("--seed", options->train.seed, "Random seed (default 42)");
  sweep->callback([&context, options, archs] {
    run_command(context, [&] {
      options->archs = parse_architecture_list(*archs);
      options->train.threads = context.threads;
      options->latency_probe = device_latency_probe;
      if (!context.quiet) options->on_rung = print_sweep_rung;
      TrainerCallbacks callbacks;
      callbacks.progress = context.progress_bar();
      print_sweep(run_sweep(context.workspace(), *options, callbacks), context.json);
    });
  });
}

}  // namespace edgeloop::cli
