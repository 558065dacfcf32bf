// Shared by the libFuzzer targets: the input as a file (most parsers take a path, as in real use)
// and the rule every target follows — edgeloop::Error is the expected answer to bad input; any
// other exception, a crash, a leak or undefined behaviour is a bug libFuzzer reports.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "edgeloop/core/error.h"

namespace edgeloop::fuzz {

// A per-process scratch folder in /dev/shm (memory), removed by the OS at reboot; reused per input.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path path = std::filesystem::path("/dev/shm") / ("edgeloop-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path;
  }();
  return dir;
}

// Writes the input to scratch_dir()/name and returns its path.
inline std::filesystem::path write_input(const std::string& name, const uint8_t* data, size_t size) {
  const std::filesystem::path path = scratch_dir() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// Runs `body`; edgeloop::Error is the expected outcome of bad input and is swallowed.
template <typename Body>
void expect_only_edgeloop_errors(Body body) {
  try {
    body();
  } catch (const Error&) {
  }
}

}  // namespace edgeloop::fuzz
