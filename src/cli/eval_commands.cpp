// `edgeloop eval MODEL` and `edgeloop test MODEL --testset NAME`: parse, call eval/, print the
// metrics table (or JSON) and, for tests, the ledger's verdict.
#include <cstdio>
#include <iostream>

#include "cli/cli_context.h"
#include "edgeloop/eval/model_evaluation.h"

namespace edgeloop::cli {

namespace {

constexpr double kPercent = 100.0;

void print_report(const EvaluationReport& report, bool json) {
  if (json) {
    std::cout << report.to_json().dump(2) << "\n";
    return;
  }
  const auto& metrics = report.metrics;
  std::printf("model %s on %s, split %s: %lld samples\n", report.model_id.c_str(), report.dataset.c_str(),
              report.split.c_str(), static_cast<long long>(metrics.count));
  std::printf("accuracy %.2f%%  macro F1 %.4f  ECE %.4f  log loss %.4f\n\n", metrics.accuracy * kPercent,
              metrics.macro_f1, metrics.expected_calibration_error, metrics.mean_log_loss);
  std::printf("%-20s %9s %9s %9s %8s\n", "class", "precision", "recall", "F1", "support");
  for (const auto& entry : metrics.per_class) {
    std::printf("%-20s %9.4f %9.4f %9.4f %8lld\n", entry.name.c_str(), entry.precision, entry.recall, entry.f1,
                static_cast<long long>(entry.support));
  }
  std::printf("\nconfusion (rows: true class, columns: predicted)\n");
  for (const auto& row : metrics.confusion) {
    for (int64_t cell : row) std::printf("%6lld", static_cast<long long>(cell));
    std::printf("\n");
  }
  if (report.forced) std::printf("\nforced re-test: recorded in the ledger\n");
  if (!report.note.empty()) std::fprintf(stderr, "edgeloop: warning: %s\n", report.note.c_str());
}

}  // namespace

void add_eval_commands(CLI::App& app, CliContext& context) {
  auto evaluate = std::make_shared<EvaluateOptions>();
  auto* eval = app.add_subcommand("eval", "Accuracy, per-class P/R/F1, confusion and calibration on a split");
  eval->add_option("model", evaluate->model, "Model id or a unique prefix")->required();
  eval->add_option("--split", evaluate->split, "val (default) or train; test sets go through `edgeloop test`");
  eval->add_option("--data", evaluate->data, "Dataset NAME[@N] (default: the version the model was trained on)");
  eval->callback([&context, evaluate] {
    run_command(context, [&] {
      evaluate->threads = context.threads;
      print_report(evaluate_model(context.workspace(), *evaluate), context.json);
    });
  });

  auto test_options = std::make_shared<TestOptions>();
  auto* test = app.add_subcommand("test", "The final, once-only assessment on a test set (recorded in the ledger)");
  test->add_option("model", test_options->model, "Model id or a unique prefix")->required();
  test->add_option("--testset", test_options->testset, "Test set name, e.g. official")->required();
  test->add_option("--data", test_options->data, "Dataset NAME[@N] (default: the version the model was trained on)");
  test->add_flag("--force", test_options->force, "Test again although this model was tested on this test set");
  test->callback([&context, test_options] {
    run_command(context, [&] {
      test_options->threads = context.threads;
      print_report(test_model(context.workspace(), *test_options), context.json);
    });
  });
}

}  // namespace edgeloop::cli
