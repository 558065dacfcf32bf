// export_dataset: a dataset version's images (one split, or all) written to an image pack
// (core/image_pack.h), the file a device streams as `sim:FILE` without a workspace. Called by
// `edgeloop data export NAME[:SPLIT] --out FILE`. Reads the registry once; not reentrant per file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "edgeloop/core/workspace.h"

namespace edgeloop {

// The parts of "NAME[@VERSION][:SPLIT]". SPLIT: train, val, test (every test set) or test:NAME.
struct DatasetSplitReference {
  std::string dataset;        // "NAME" or "NAME@N", as DatasetStore::resolve takes it
  std::string split_filter;   // DatasetStore::samples' filter: "", "train", "val", "test:", "test:NAME"
};
// Throws Error(kInvalidArgument) naming the text and the accepted splits.
DatasetSplitReference parse_dataset_split_reference(const std::string& text);

struct DatasetExport {
  std::string source;         // e.g. "fashion@2:test", written into the pack
  std::filesystem::path file;
  int64_t images = 0;
  int64_t bytes = 0;          // the pack's size
};

// Throws Error(kNotFound) naming the dataset or the empty split; the file is written atomically.
DatasetExport export_dataset(const Workspace& workspace, const std::string& reference, const std::filesystem::path& file);

}  // namespace edgeloop
