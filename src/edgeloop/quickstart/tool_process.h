// ToolProcess: runs edgeloop's device binary (edgeloop-edge) as a child process, as a device would
// run it apart from the toolkit: no shell, stdout captured, stderr left on the caller's terminal
// so the child's log stays visible. The toolkit's own stages are library calls, never children.
// Thread-safe per call.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace edgeloop {

struct ToolResult {
  int exit_status = -1;     // the child's exit status; -1 when it was killed by a signal
  std::string output;       // its stdout
};

// Runs `program` with `arguments` (no shell). Throws Error(kNotFound) when it cannot be started.
ToolResult run_tool(const std::filesystem::path& program, const std::vector<std::string>& arguments);

// The path of the running executable (/proc/self/exe): edgeloop-edge is looked for beside it.
std::filesystem::path current_executable();

}  // namespace edgeloop
