// Bundle: everything the device needs and nothing else, in one directory:
//   bundle.json       format version, model id, labels, input spec, preprocessing spec, lineage,
//                     metrics, reference statistics for drift, sha256 of every other file
//   model.onnx        fp32, outputs `probabilities` and `embedding`
//   model.int8.onnx   optional, QDQ int8 (per-channel weights, per-tensor activations)
//   weights.pt        optional, LibTorch weights for further training (toolkit only)
// Format: docs/formats.md. Loading always verifies every hash. No LibTorch here. Plain values.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/preprocess/pipeline.h"

namespace edgeloop {

constexpr int kBundleFormatVersion = 1;

struct Bundle {
  std::filesystem::path directory;
  int format_version = kBundleFormatVersion;
  std::string model_id;
  std::string arch;                        // ArchSpec text
  std::vector<std::string> labels;         // index = class id
  Pipeline preprocess = Pipeline::default_for(InputShape{});
  Json lineage;                            // dataset version, run, code commit, seed, ...
  Json metrics;                            // validation accuracy, int8 agreement, parity, ...
  Json reference_statistics;               // for monitor/: histograms per feature (formats.md)
  std::map<std::string, std::string> file_sha256;   // file name → sha256 hex

  std::filesystem::path fp32_model() const { return directory / "model.onnx"; }
  std::optional<std::filesystem::path> int8_model() const;   // when present
};

// Reads bundle.json and verifies the format version and every file's sha256. Throws
// Error(kCorrupt) naming the first file that fails ("model.onnx: sha256 mismatch ...: re-export").
Bundle load_bundle(const std::filesystem::path& directory);

// Writes bundle.json (with the sha256 of every file already in `bundle.directory`) atomically.
void write_bundle_manifest(Bundle& bundle);

}  // namespace edgeloop
