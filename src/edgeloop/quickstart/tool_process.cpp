#include "edgeloop/quickstart/tool_process.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>

#include "edgeloop/core/error.h"

extern char** environ;

namespace edgeloop {

namespace {

constexpr size_t kReadChunk = 65536;

}  // namespace

std::filesystem::path current_executable() { return std::filesystem::read_symlink("/proc/self/exe"); }

ToolResult run_tool(const std::filesystem::path& program, const std::vector<std::string>& arguments) {
  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) throw io_error("cannot create a pipe to run " + program.string());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_ends[1]);
  std::vector<std::string> argv_storage{program.string()};
  argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : argv_storage) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t child = 0;
  const int spawned = ::posix_spawn(&child, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_ends[1]);
  if (spawned != 0) {
    ::close(pipe_ends[0]);
    throw not_found("cannot run " + program.string() + ": build it first (`make build`)");
  }
  ToolResult result;
  std::array<char, kReadChunk> buffer{};
  ssize_t count = 0;
  while ((count = ::read(pipe_ends[0], buffer.data(), buffer.size())) > 0) result.output.append(buffer.data(), count);
  ::close(pipe_ends[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace edgeloop
