// Runs a shell command from a test and captures its stdout and exit status: for tests that check
// files with outside tools (a JSON schema validator, headless Chromium, the edgeloop CLI).
// Header-only; thread-safe for distinct commands.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace edgeloop::testing {

struct CommandOutput {
  int exit_status = -1;   // the command's exit status; -1 when it could not be started
  std::string output;     // stdout (add 2>&1 to the command for stderr too)
};

inline CommandOutput run_shell(const std::string& command) {
  CommandOutput result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), count);
  const int status = ::pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Single-quotes a path or argument for /bin/sh.
inline std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char character : text) {
    if (character == '\'') {
      quoted += "'\\''";
    } else {
      quoted += character;
    }
  }
  return quoted + "'";
}

// The live processes whose command line (arguments joined by spaces) contains `text`: for tests
// that check a child was not left running. Zombies, whose command line is empty, are not counted.
inline int processes_with_argument(const std::string& text) {
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string line((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    std::replace(line.begin(), line.end(), '\0', ' ');
    if (!line.empty() && line.find(text) != std::string::npos) ++found;
  }
  return found;
}

}  // namespace edgeloop::testing
