// `edgeloop init [DIR]`: make a workspace.
#include <iostream>

#include "cli/cli_context.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop::cli {

void add_workspace_commands(CLI::App& app, CliContext& context) {
  auto* init = app.add_subcommand("init", "Make an edgeloop workspace (.edgeloop/) in DIR or here");
  auto directory = std::make_shared<std::string>(".");
  init->add_option("dir", *directory, "Folder to hold the workspace");
  init->callback([&context, directory] {
    run_command(context, [&] {
      Workspace workspace = Workspace::init(*directory);
      Registry::open(workspace.registry_path());
      if (context.json) {
        std::cout << "{\"workspace\": \"" << workspace.root().string() << "\"}\n";
      } else {
        std::cout << "edgeloop workspace at " << workspace.root().string() << "\n";
      }
    });
  });
}

}  // namespace edgeloop::cli
