// What `edgeloop bench TARGET` measures, resolved from TARGET: a bundle folder (verified on load),
// a bare .onnx file, or a model id in the workspace (torch or classic engine, until it is exported).
// Validation images come from the workspace's dataset version named in the lineage, or from a
// folder of class subfolders. Toolkit only (edgeloop_runtime_torch: it adds the torch engine).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "edgeloop/core/workspace.h"
#include "edgeloop/runtime/benchmark.h"

namespace edgeloop {

struct BenchmarkTargetOptions {
  std::optional<Workspace> workspace;    // where model ids and dataset versions are looked up
  std::filesystem::path validation_folder;   // class subfolders of images; empty = the dataset's val split
  int max_validation_images = 1000;      // read at most this many
};

// Throws Error(kNotFound) naming TARGET when it is none of the three, Error(kCorrupt) for a
// bundle that fails verification.
BenchmarkSubject resolve_benchmark_subject(const std::string& target, const BenchmarkTargetOptions& options);

}  // namespace edgeloop
