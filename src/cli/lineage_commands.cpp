// `edgeloop lineage MODEL|BUNDLE [--json]`: where a model or bundle came from (library:
// src/edgeloop/report/lineage.h).
#include <iostream>

#include "cli/cli_context.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/report/lineage.h"

namespace edgeloop::cli {

void add_lineage_commands(CLI::App& app, CliContext& context) {
  auto* lineage = app.add_subcommand("lineage", "Show a model's or bundle's lineage: run, dataset versions, imports, test-set uses");
  auto target = std::make_shared<std::string>();
  lineage->add_option("target", *target, "A model id (or unique prefix) or a bundle folder")->required();
  lineage->callback([&context, target] {
    run_command(context, [&] {
      const Workspace workspace = context.workspace();
      Registry registry = Registry::open(workspace.registry_path());
      const Json tree = build_lineage(registry, *target);
      std::cout << (context.json ? tree.dump(2) + "\n" : lineage_to_text(tree));
    });
  });
}

}  // namespace edgeloop::cli
