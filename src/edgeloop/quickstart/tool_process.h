// ToolProcess: runs one of edgeloop's own binaries (`edgeloop --json ...`, `edgeloop-edge ...`) as
// a child process, capturing stdout and leaving stderr on the caller's terminal so the child's
// progress bars stay visible. The quickstart drives stages this way where it needs a whole
// command's behaviour (its argument checks, ledger rules, progress) rather than one function.
// Thread-safe per call.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct ToolResult {
  int exit_status = -1;     // the child's exit status; -1 when it was killed by a signal
  std::string output;       // its stdout
};

// Runs `program` with `arguments` (no shell). Throws Error(kNotFound) when it cannot be started.
ToolResult run_tool(const std::filesystem::path& program, const std::vector<std::string>& arguments);

// run_tool that expects success and JSON on stdout; throws Error(kInternal) naming the command,
// its exit status and the last line of its output otherwise (the child already printed why).
Json run_tool_json(const std::filesystem::path& program, const std::vector<std::string>& arguments);

// The path of the running executable (/proc/self/exe).
std::filesystem::path current_executable();

}  // namespace edgeloop
