// `edgeloop retrain --champion MODEL --add DATASET`: the champion's training data plus the new
// labels, fine-tuned from the champion (or --from-scratch). Parse, call promote/retrain, print.
#include <cstdio>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/worker_rank_lines.h"
#include "edgeloop/core/error.h"
#include "edgeloop/promote/retrain.h"

namespace edgeloop::cli {

namespace {
constexpr double kPercent = 100.0;
}

void add_retrain_commands(CLI::App& app, CliContext& context) {
  auto options = std::make_shared<RetrainOptions>();
  auto* retrain = app.add_subcommand("retrain", "Retrain the champion on its data plus new labels (the union), as a challenger");
  retrain->add_option("--champion", options->champion, "The model in service (id or unique prefix)")->required();
  retrain->add_option("--add", options->add, "Dataset version with the new labels (NAME[@N])")->required();
  retrain->add_flag("--from-scratch", options->from_scratch, "Train the champion's architecture from scratch instead of fine-tuning");
  retrain->add_option("--epochs", options->epochs, "Epochs (default: the champion's), within the budget");
  retrain->add_option("--max-seconds", options->max_seconds, "Training time budget in seconds (0 = none)")->capture_default_str();
  retrain->add_option("--added-share", options->added_share,
                      "Share of each epoch the new labels make, by counting them several times (0: once each); the rest is "
                      "the champion's data")
      ->capture_default_str();
  retrain->add_option("--lr-factor", options->fine_tune_lr_factor,
                      "Fine-tuning learning rate = the champion's rate x this, in (0, 1] (without --from-scratch)")
      ->capture_default_str();
  auto distributed = std::make_shared<bool>(false);
  retrain->add_flag("--distributed", *distributed,
                    "One rank of a data-parallel job: reads MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE as torchrun sets them; "
                    "every rank runs the same command (docs/distributed.md)");
  retrain->add_flag("--balance-ranks", options->balance_ranks,
                    "With --distributed: each rank's share of every batch follows its measured speed (as train's)");
  retrain->callback([&context, options, distributed] {
    run_command(context, [&] {
      if (options->balance_ranks && !*distributed) {
        throw invalid_argument("--balance-ranks shares batches between the ranks of a job: add --distributed");
      }
      options->threads = context.threads;
      TrainerCallbacks callbacks;
      callbacks.progress = context.progress_bar();
      if (*distributed) {
        options->distributed = read_launch_environment();
        if (!options->distributed->is_writer()) callbacks.progress = nullptr;   // one progress bar per job
      }
      const RetrainOutcome outcome = retrain_on_union(context.workspace(), *options, callbacks);
      const auto& model = outcome.trained.model;
      if (model.id.empty()) {   // a worker rank of a distributed job: rank 0 stored the challenger
        print_worker_rank_outcome(outcome.trained.result, "retrained", "challenger", context.json);
        return;
      }
      const int64_t added = outcome.data.added - outcome.data.already_there;
      if (context.json) {
        std::cout << Json{{"challenger", model.id}, {"champion", outcome.champion_id}, {"data", outcome.data.version.reference()},
                          {"added_samples", added}, {"added_copies", outcome.data.added_copies}, {"metrics", model.metrics}, {"from_scratch", options->from_scratch}}
                         .dump(2)
                  << "\n";
        return;
      }
      std::printf("%s: %s + %lld new labelled samples from %s (each training image counted %d times)\n",
                  outcome.data.version.reference().c_str(), outcome.data.champion_data.reference().c_str(),
                  static_cast<long long>(added), outcome.data.added_data.reference().c_str(), outcome.data.added_copies);
      std::printf("challenger %s (%s from %s), validation accuracy %.2f%%, %.1f s\n", model.id.c_str(),
                  options->from_scratch ? "trained from scratch" : "fine-tuned", outcome.champion_id.c_str(),
                  model.metrics["val_accuracy"].get<double>() * kPercent, outcome.trained.result.training_seconds);
      std::printf("next: edgeloop promote %s\n", model.id.c_str());
    });
  });
}

}  // namespace edgeloop::cli
