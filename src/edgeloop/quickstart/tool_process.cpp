#include "edgeloop/quickstart/tool_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>

#include "edgeloop/core/error.h"

extern char** environ;

namespace edgeloop {

namespace {

constexpr size_t kReadChunk = 65536;

// Starts `program` with `arguments` (no shell) and the file actions; the child's pid, or -1.
pid_t spawn_tool(const std::filesystem::path& program, const std::vector<std::string>& arguments,
                 const posix_spawn_file_actions_t& actions) {
  std::vector<std::string> argv_storage{program.string()};
  argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : argv_storage) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t child = 0;
  return ::posix_spawn(&child, program.c_str(), &actions, nullptr, argv.data(), environ) == 0 ? child : -1;
}

Error not_startable(const std::filesystem::path& program) {
  return not_found("cannot run " + program.string() + ": build it first (`make build`)");
}

int exit_status_of(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

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
  const pid_t child = spawn_tool(program, arguments, actions);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_ends[1]);
  if (child < 0) {
    ::close(pipe_ends[0]);
    throw not_startable(program);
  }
  ToolResult result;
  std::array<char, kReadChunk> buffer{};
  ssize_t count = 0;
  while ((count = ::read(pipe_ends[0], buffer.data(), buffer.size())) > 0) result.output.append(buffer.data(), count);
  ::close(pipe_ends[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  result.exit_status = exit_status_of(status);
  return result;
}

ToolProcess::ToolProcess(const std::filesystem::path& program, const std::vector<std::string>& arguments) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_ = spawn_tool(program, arguments, actions);
  posix_spawn_file_actions_destroy(&actions);
  if (pid_ < 0) throw not_startable(program);
}

ToolProcess::~ToolProcess() { stop(); }

bool ToolProcess::running() {
  if (exited_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return true;
  exited_ = true;
  exit_status_ = exit_status_of(status);
  return false;
}

int ToolProcess::stop() {
  if (!running()) return exit_status_;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exited_ = true;
  exit_status_ = exit_status_of(status);
  return exit_status_;
}

}  // namespace edgeloop
