// `edgeloop promote CHALLENGER [--device URL]`: the gate on the frozen test sets, then the champion
// alias, then (with --device) the new champion's bundle pushed to the device, which watches it on
// probation and rolls back by itself. Parse, call promote/promotion, export and deploy/device_push,
// print the gate table and the decisions.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/device_push_lines.h"
#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/error.h"
#include "edgeloop/promote/promotion.h"
#include "edgeloop/quickstart/quickstart_loop.h"

namespace edgeloop::cli {

namespace {

constexpr double kPercent = 100.0;

void print_gate(const PromoteOutcome& outcome) {
  std::printf("%-28s %6s %10s %10s %8s %8s %10s %12s\n", "test set", "frames", "champion", "challenger", "b", "c", "McNemar p",
              "max recall-");
  for (const TestSetFigures& figures : outcome.gate.figures) {
    const double worst = figures.recall_drop_points.empty()
                             ? 0.0
                             : *std::max_element(figures.recall_drop_points.begin(), figures.recall_drop_points.end());
    std::printf("%-28s %6lld %9.2f%% %9.2f%% %8lld %8lld %10.4f %9.1f pt%s\n", figures.test_set.c_str(),
                static_cast<long long>(figures.count), figures.champion_accuracy * kPercent, figures.challenger_accuracy * kPercent,
                static_cast<long long>(figures.champion_only_right), static_cast<long long>(figures.challenger_only_right),
                figures.mcnemar_p, worst, figures.captured ? "  (captured)" : "");
  }
}

// The promoted model's bundle: `requested` when given (it must be that model's), else
// ./<model>.bundle, exported with int8 as `edgeloop export --int8` would unless it is already there.
std::filesystem::path bundle_for(CliContext& context, const std::string& model_id, const std::string& requested) {
  const std::filesystem::path directory = requested.empty() ? std::filesystem::path(model_id + ".bundle") : std::filesystem::path(requested);
  if (!requested.empty() || std::filesystem::exists(directory / kBundleManifestName)) {
    const Bundle bundle = load_bundle(directory);
    if (bundle.model_id != model_id) {
      throw invalid_argument(directory.string() + " holds model " + bundle.model_id + ", not the promoted " + model_id +
                             ": pass --bundle with the promoted model's bundle (edgeloop export " + model_id + " --int8)");
    }
    return directory;
  }
  export_device_bundle(context.workspace(), model_id, directory, context.threads, context.progress_bar());
  return directory;
}

}  // namespace

void add_promote_commands(CLI::App& app, CliContext& context) {
  auto options = std::make_shared<PromoteOptions>();
  auto* promote = app.add_subcommand("promote", "Gate a challenger against the champion on the frozen test sets; promote it if it passes");
  promote->add_option("challenger", options->challenger, "The challenger model (id or unique prefix)")->required();
  promote->add_flag("--force", options->force, "Promote even if the gate refuses (recorded as forced)");
  promote->add_option("--reason", options->force_reason, "Why --force was used (recorded)");
  promote->add_option("--alpha", options->gate.alpha, "McNemar: significantly worse below this p")->capture_default_str();
  promote->add_option("--max-recall-drop", options->gate.max_recall_drop_points,
                      "Most a class's recall may fall on the original test set, in points")->capture_default_str();
  auto push = std::make_shared<DevicePushOptions>();
  auto bundle = std::make_shared<std::string>();
  add_device_push_options(*promote, *push, /*required=*/false);
  promote->add_option("--bundle", *bundle, "With --device: the promoted model's bundle (default: exported to ./MODEL.bundle)");
  promote->callback([&context, options, push, bundle] {
    run_command(context, [&] {
      options->threads = context.threads;
      const PromoteOutcome outcome = promote_challenger(context.workspace(), *options);
      if (context.json) {
        std::cout << Json{{"challenger", outcome.challenger_id}, {"champion_before", outcome.champion_id},
                          {"promoted", outcome.promoted}, {"forced", outcome.forced}, {"first_champion", outcome.first_champion},
                          {"gate", outcome.gate.to_json()}}
                         .dump(2)
                  << "\n";
      } else if (outcome.first_champion) {
        std::printf("%s is now the champion (there was none to compare with)\n", outcome.challenger_id.c_str());
      } else {
        print_gate(outcome);
        if (outcome.promoted) {
          std::printf("%s is now the champion (was %s)%s\n", outcome.challenger_id.c_str(), outcome.champion_id.c_str(),
                      outcome.forced ? ", forced against the gate: recorded" : "");
        }
      }
      if (!outcome.promoted) {
        throw invalid_argument("gate refused " + outcome.challenger_id + ": " + outcome.gate.failed_condition +
                               " (the champion " + outcome.champion_id + " stays; --force promotes anyway, recorded)");
      }
      if (!push->url.empty()) {
        const DevicePushOutcome pushed = push_bundle_to_device(bundle_for(context, outcome.challenger_id, *bundle), *push);
        print_device_push(pushed, context.json);
        require_device_kept(pushed);
      }
    });
  });
}

}  // namespace edgeloop::cli
