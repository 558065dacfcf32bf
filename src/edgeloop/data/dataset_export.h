// export_dataset: a dataset version's images (one split, or all) written to an image pack
// (core/image_pack.h) with each image's class name, the file a device streams as `sim:FILE`
// without a workspace (its frames then report their true class). Called by `edgeloop data export
// NAME[:SPLIT] --out FILE` and the quickstart. Reads the registry once; not reentrant per file.
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
  int64_t labelled = 0;       // images whose class the pack carries
  int64_t bytes = 0;          // the pack's size
};

// The first `max_images` of the split in stored order (0: all). Throws Error(kNotFound) naming the
// dataset or the empty split; the file is written atomically.
DatasetExport export_dataset(const Workspace& workspace, const std::string& reference, const std::filesystem::path& file,
                             int64_t max_images = 0);

}  // namespace edgeloop
