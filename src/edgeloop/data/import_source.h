// Import sources: each format (idx, folder, csv, video, capture) turns SRC into a list of
// ImportItems that the importer (importer.h) then reads, checks, encodes and stores the same way.
// Sources do not touch the registry or the object store. Thread-safe (no shared state).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "edgeloop/data/import_options.h"

namespace edgeloop {

struct ImportItem {
  std::string origin;          // the sample's origin: a path relative to SRC, "train#5"/"t10k#5", "clip.mp4#frame=30"
  std::string label;           // class name; empty when unlabeled
  std::string suggested;       // JSON text of a suggested label (captures); empty when none
  // Exactly one of the next three holds the image:
  std::filesystem::path file;  // a file to read, check and store byte for byte
  std::string encoded;         // encoded image bytes already in memory (video frames, PNG)
  cv::Mat pixels;              // 8-bit pixels to encode as PNG (IDX)
  std::string reject_reason;   // non-empty when the source refused the item up front
};

struct ImportSource {
  std::string format;                 // idx, folder, csv, video, capture
  std::vector<std::string> classes;   // class names in label order when the format knows them (IDX)
  std::vector<ImportItem> items;
};

// `format` "auto" picks from what SRC is; throws Error(kInvalidArgument) when it cannot tell.
std::string detect_import_format(const std::filesystem::path& source, const std::string& format);

ImportSource read_idx_source(const std::filesystem::path& source, const ImportOptions& options);
ImportSource read_folder_source(const std::filesystem::path& source);
ImportSource read_capture_source(const std::filesystem::path& source);
ImportSource read_csv_source(const std::filesystem::path& manifest);
ImportSource read_video_source(const std::filesystem::path& video, const ImportOptions& options);

// Fashion-MNIST's ten class names, in label order.
const std::vector<std::string>& fashion_mnist_class_names();

}  // namespace edgeloop
