// Preview: a PNG grid of preprocessed samples, one row per class, so a person can see what the
// model will be fed. Called by `edgeloop data preview`. Writes the file atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "edgeloop/core/workspace.h"
#include "edgeloop/preprocess/pipeline.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {

struct PreviewOptions {
  std::optional<Pipeline> pipeline;  // applied up to its 8-bit stage (apply_uint8); none: images as stored
  int per_class = 8;                 // samples per row
  uint64_t seed = 0;                 // which samples are shown
  int cell_pixels = 64;              // each image is scaled to this square cell (pixels), keeping its aspect
};

struct PreviewResult {
  int rows = 0;    // classes shown (plus one for unlabeled samples, if any)
  int images = 0;  // images drawn
};

PreviewResult write_preview_grid(const Workspace& workspace, Registry& registry, const std::string& reference,
                                 const std::filesystem::path& out, const PreviewOptions& options = {});

}  // namespace edgeloop
