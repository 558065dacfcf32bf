// `edgeloop report RUN|MODEL|SWEEP|EDGE_LOG [--out FILE.html] [--bench BENCH.json]`: a
// self-contained HTML report (library: src/edgeloop/report/).
#include <iostream>

#include "cli/cli_context.h"
#include "edgeloop/report/report_loader.h"

namespace edgeloop::cli {

void add_report_commands(CLI::App& app, CliContext& context) {
  auto* report = app.add_subcommand("report", "Write a self-contained HTML report of a run, model, sweep or edge log");
  auto request = std::make_shared<ReportRequest>();
  auto out = std::make_shared<std::string>();
  auto bench = std::make_shared<std::string>();
  report->add_option("target", request->argument, "A run id, model id (or prefix), sweep id, or edge JSONL log")->required();
  report->add_option("--out", *out, "HTML file to write (default: <kind>-<id>.html here)");
  report->add_option("--bench", *bench, "For a model: `edgeloop bench --json` output to show as the bench table");
  report->callback([&context, request, out, bench] {
    run_command(context, [&] {
      request->out = *out;
      if (!bench->empty()) request->bench_json = std::filesystem::path(*bench);
      // An edge log needs no workspace; anything else is looked up in one.
      std::optional<Workspace> workspace;
      if (!std::filesystem::is_regular_file(request->argument)) workspace = context.workspace();
      const ReportResult result = write_report(workspace ? &*workspace : nullptr, *request);
      if (context.json) {
        std::cout << Json{{"kind", to_string(result.kind)}, {"report", result.path.string()}}.dump() << "\n";
      } else {
        std::cout << to_string(result.kind) << " report: " << std::filesystem::absolute(result.path).string() << "\n";
      }
    });
  });
}

}  // namespace edgeloop::cli
