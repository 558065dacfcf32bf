// Shared by the libFuzzer targets: the input as a file (most parsers take a path, as in real use)
// and the rule every target follows — edgeloop::Error is the expected answer to bad input; any
// other exception, a crash, a leak or undefined behaviour is a bug libFuzzer reports.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "edgeloop/core/error.h"

namespace edgeloop::fuzz {

// A per-process scratch folder: under $EDGELOOP_FUZZ_SCRATCH when set (fuzz/run.sh sets one in
// /dev/shm and removes it), else /dev/shm/edgeloop-fuzz-PID; reused per input.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const char* chosen = std::getenv("EDGELOOP_FUZZ_SCRATCH");
    std::filesystem::path path = chosen && *chosen ? std::filesystem::path(chosen) : std::filesystem::path("/dev/shm");
    path /= "edgeloop-fuzz-" + std::to_string(::getpid());
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

// Copies the seed corpus file fuzz/corpus/<seed> to scratch_dir()/name (a fixed companion file a
// target needs, e.g. a real model.onnx beside a fuzzed bundle.json) and returns its path.
inline std::filesystem::path copy_seed(const std::string& seed, const std::string& name) {
  const std::filesystem::path path = scratch_dir() / name;
  std::filesystem::create_directories(path.parent_path());
  std::filesystem::copy_file(std::filesystem::path(EDGELOOP_FUZZ_CORPUS_DIR) / seed, path,
                             std::filesystem::copy_options::overwrite_existing);
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
