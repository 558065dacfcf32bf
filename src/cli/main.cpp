// edgeloop: the toolkit's command line. Parses, calls the library, prints; nothing else.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/cli_context.h"
#include "edgeloop/core/allocator_settings.h"
#include "edgeloop/core/log.h"
#include "edgeloop/core/threads.h"

namespace edgeloop::cli {
// One per command group, each in its own file.
void add_workspace_commands(CLI::App& app, CliContext& context);
void add_deploy_commands(CLI::App& app, CliContext& context);
void add_report_commands(CLI::App& app, CliContext& context);
void add_data_commands(CLI::App& app, CliContext& context);
void add_train_commands(CLI::App& app, CliContext& context);
void add_models_commands(CLI::App& app, CliContext& context);
void add_eval_commands(CLI::App& app, CliContext& context);
void add_sweep_commands(CLI::App& app, CliContext& context);
void add_bench_commands(CLI::App& app, CliContext& context);
void add_export_commands(CLI::App& app, CliContext& context);
void add_lineage_commands(CLI::App& app, CliContext& context);
void add_quickstart_commands(CLI::App& app, CliContext& context);
void add_label_commands(CLI::App& app, CliContext& context);
void add_retrain_commands(CLI::App& app, CliContext& context);
void add_promote_commands(CLI::App& app, CliContext& context);
}  // namespace edgeloop::cli

namespace {

int run(int argc, char** argv) {
  using namespace edgeloop::cli;
  CliContext context;
  CLI::App app{"edgeloop: carry a vision model from images to an edge device and back"};
  app.require_subcommand(1);
  app.fallthrough();
  bool verbose = false;
  app.add_option("--workspace", context.workspace_flag, "Workspace folder (default: search upward from here)");
  app.add_flag("--json", context.json, "Machine-readable JSON on stdout");
  app.add_option("--threads", context.threads, "Compute threads (0 = all cores)");
  app.add_flag("-q,--quiet", context.quiet, "No progress bars");
  app.add_flag("-v,--verbose", verbose, "Debug logging on stderr");
  // Hidden: parse the command line and stop; tests/cli checks docs/cli.md's examples with it.
  app.add_flag("--parse-only", context.parse_only, "Check the command line and run nothing")->group("");
  app.parse_complete_callback([&] {
    edgeloop::set_log_level(verbose ? edgeloop::LogLevel::kVerbose
                                    : context.quiet ? edgeloop::LogLevel::kQuiet : edgeloop::LogLevel::kNormal);
    edgeloop::set_compute_threads(context.threads);
  });

  add_workspace_commands(app, context);
  add_deploy_commands(app, context);
  add_report_commands(app, context);
  add_data_commands(app, context);
  add_train_commands(app, context);
  add_models_commands(app, context);
  add_eval_commands(app, context);
  add_sweep_commands(app, context);
  add_bench_commands(app, context);
  add_export_commands(app, context);
  add_lineage_commands(app, context);
  add_quickstart_commands(app, context);
  add_label_commands(app, context);
  add_retrain_commands(app, context);
  add_promote_commands(app, context);

  CLI11_PARSE(app, argc, argv);
  return context.exit_status;
}

}  // namespace

int main(int argc, char** argv) {
  edgeloop::keep_freed_memory_for_reuse();   // best effort: glibc's defaults still work
  const int status = run(argc, argv);
  // Every command's own objects are gone here; what is left is static, and tearing it down is
  // LibTorch deregistering its thousands of operators one by one: 100-150 ms added to every
  // command, a refused import included (perf, bench/reliability's hostile inputs). Nothing static
  // holds data to write, so flush the streams and leave.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(status);
}
