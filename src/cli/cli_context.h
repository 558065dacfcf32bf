// What every command of the `edgeloop` CLI shares: the global flags, and the one function that
// runs a command body, turning edgeloop::Error into one line on stderr and an exit status.
// Command groups live one per file (data_commands.cpp, train_commands.cpp, ...) and each exposes
// `void add_<group>_commands(CLI::App&, CliContext&)`, called from main.cpp.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "edgeloop/core/progress.h"
#include "edgeloop/core/workspace.h"

namespace edgeloop::cli {

struct CliContext {
  std::string workspace_flag;   // --workspace DIR; empty: search upward from the current directory
  bool json = false;            // --json: machine-readable output on stdout
  int threads = 0;              // --threads N; 0: all cores
  bool quiet = false;           // --quiet: no progress bars
  bool parse_only = false;      // --parse-only: check the command line, run nothing (docs/cli.md's examples)
  int exit_status = 0;          // set by run_command

  Workspace workspace() const;  // throws Error with the fix when there is none
  // A progress callback that draws a bar on stderr (nothing when --quiet or stderr is not a tty).
  ProgressCallback progress_bar() const;
};

// Runs `body` (nothing with --parse-only); on edgeloop::Error prints "edgeloop: <message>" to stderr and records its exit
// status in `context`. Any other exception is a bug and is reported as such.
void run_command(CliContext& context, const std::function<void()>& body);

}  // namespace edgeloop::cli
