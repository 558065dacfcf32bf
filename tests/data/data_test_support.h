// Tiny data made by the data tests themselves: IDX pairs, image files, a fresh workspace.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "edgeloop/core/workspace.h"
#include "edgeloop/data/import_options.h"
#include "edgeloop/registry/registry.h"
#include "support/temp_dir.h"

namespace edgeloop::testing {

// A workspace in a temporary folder with its registry open.
struct TestWorkspace {
  TempDir dir;
  Workspace workspace = Workspace::init(dir / "ws");
  Registry registry = Registry::open(workspace.registry_path());
};

// Import options for a dataset `name` on two threads, the rest default.
ImportOptions named(const std::string& name);

// An image whose pixels are a deterministic function of `seed` (distinct seeds, distinct images).
cv::Mat seeded_image(int seed, int rows = 8, int columns = 8, int channels = 1);

// Writes `prefix`-images-idx3-ubyte and `prefix`-labels-idx1-ubyte (gzipped when `gzip`), with
// `count` seeded images of `rows`×`columns` (seeds from `first_seed`) and labels i % classes.
void write_idx_pair(const std::filesystem::path& folder, const std::string& prefix, int count, int classes,
                    bool gzip, int first_seed = 0, int rows = 6, int columns = 6);

// Writes an encoded image file (format from the extension).
void write_image(const std::filesystem::path& path, const cv::Mat& image);

}  // namespace edgeloop::testing
