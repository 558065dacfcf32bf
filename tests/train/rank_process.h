// RankProcess: one `edgeloop train --distributed` rank started by a test as a child process, with
// the torchrun variables set, its stdout and stderr in a file; the test can kill it and wait for
// it with a deadline. Header-only; one owner thread.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace edgeloop::testing {

inline const std::filesystem::path kEdgeloopCli = std::filesystem::path(EDGELOOP_BINARY_DIR) / "src/cli/edgeloop";

class RankProcess {
 public:
  // Runs `edgeloop <arguments>` as `rank` of `world_size` with the store on 127.0.0.1:`port`.
  RankProcess(int rank, int world_size, int port, const std::vector<std::string>& arguments,
              const std::filesystem::path& output_file)
      : output_file_(output_file) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      ::setenv("WORLD_SIZE", std::to_string(world_size).c_str(), 1);
      ::setenv("RANK", std::to_string(rank).c_str(), 1);
      ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      const int fd = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      std::vector<std::string> all{kEdgeloopCli.string()};
      all.insert(all.end(), arguments.begin(), arguments.end());
      std::vector<char*> argv;
      for (auto& argument : all) argv.push_back(argument.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~RankProcess() {
    if (!exit_status_ && pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  RankProcess(const RankProcess&) = delete;
  RankProcess& operator=(const RankProcess&) = delete;

  void kill() { ::kill(pid_, SIGKILL); }
  // The exit status (128 + signal when killed), or nullopt if still running after `timeout`.
  std::optional<int> wait(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_status_) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return exit_status_;
  }
  std::string output() const {
    std::ifstream file(output_file_);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::filesystem::path output_file_;
};

}  // namespace edgeloop::testing
