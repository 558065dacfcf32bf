// ToolProcess: runs edgeloop's device binary (edgeloop-edge) as a child process, as a device would
// run it apart from the toolkit: no shell, stdout captured, stderr left on the caller's terminal
// so the child's log stays visible; or left running (ToolProcess) while the toolkit talks to it
// over HTTP. The toolkit's own stages are library calls, never children. run_tool is thread-safe
// per call; a ToolProcess belongs to one thread.
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

// A child left running: its stdout goes to /dev/null (it writes its own log files), stderr stays
// the caller's. The destructor ends it (SIGTERM, then waits) if stop() was not called.
class ToolProcess {
 public:
  // Throws Error(kNotFound) when `program` cannot be started.
  ToolProcess(const std::filesystem::path& program, const std::vector<std::string>& arguments);
  ~ToolProcess();
  ToolProcess(const ToolProcess&) = delete;
  ToolProcess& operator=(const ToolProcess&) = delete;

  // True while the child has not exited.
  bool running();
  // SIGTERM (when still running), then waits: the child's exit status, -1 when a signal killed it.
  int stop();

 private:
  int pid_ = -1;
  int exit_status_ = -1;
  bool exited_ = false;
};

// The path of the running executable (/proc/self/exe): edgeloop-edge is looked for beside it.
std::filesystem::path current_executable();

}  // namespace edgeloop
