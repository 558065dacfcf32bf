// Bundle: everything the device needs and nothing else, in one directory:
//   bundle.json         format version, model id, labels, input spec, preprocessing spec, lineage,
//                       metrics, reference statistics for drift, sha256 of every other file, and
//                       the sha256 of bundle.json's own canonical content (so an edited manifest is
//                       refused too)
//   model.onnx          fp32, outputs `probabilities` and `embedding` (export/onnx_writer.h)
//   model.int8.onnx     optional, QDQ int8 (per-channel weights, per-tensor activations)
//   weights.safetensors optional, the WeightMap for further training (toolkit only)
// Format: docs/formats.md ("Bundle"). Loading always verifies every hash. Written by export/,
// read by edge/, runtime bench and `edgeloop bundle verify`. No LibTorch here. Plain values;
// the functions are thread-safe for distinct directories.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/preprocess/pipeline.h"

namespace edgeloop {

constexpr int kBundleFormatVersion = 1;
constexpr const char* kBundleManifestName = "bundle.json";
constexpr const char* kBundleFp32ModelName = "model.onnx";
constexpr const char* kBundleInt8ModelName = "model.int8.onnx";
constexpr const char* kBundleWeightsName = "weights.safetensors";

struct BundleFile {
  std::string sha256;   // lowercase hex
  int64_t bytes = 0;
};

struct Bundle {
  std::filesystem::path directory;
  int format_version = kBundleFormatVersion;
  std::string model_id;
  std::string arch;                        // ArchSpec text
  std::vector<std::string> labels;         // index = class id
  InputShape input;                        // model input [C, H, W]; the ONNX input is [batch, C, H, W]
  Pipeline preprocess = Pipeline::default_for(InputShape{});
  Json lineage = Json::object();           // dataset version, run, code commit, seed, ...
  Json metrics = Json::object();           // validation accuracy, int8 agreement, parity, ...
  Json reference_statistics = Json::object();   // bundle/reference_statistics.h to_json()
  // Engines timed at export on its machine, fastest first (runtime/engine_ranking.h to_json());
  // null in bundles written before it existed or without a ranking.
  Json engine_ranking = nullptr;
  std::map<std::string, BundleFile> files;      // file name (in `directory`) → hash and size
  std::string created_at;                  // UTC, ISO 8601

  std::filesystem::path fp32_model() const { return directory / kBundleFp32ModelName; }
  std::optional<std::filesystem::path> int8_model() const;   // when present
  std::optional<std::filesystem::path> weights() const;      // when present

  Json to_json() const;   // the manifest without its own hash
};

// Reads bundle.json and verifies the format version, the manifest's own hash and every file's
// sha256. Throws Error(kNotFound) when there is no bundle.json, Error(kCorrupt) naming the first
// file that fails ("model.onnx: sha256 mismatch ...: the file was changed; re-export the bundle").
Bundle load_bundle(const std::filesystem::path& directory);

// Hashes every file in `bundle.files` (names filled by the caller, e.g. {"model.onnx", {}}) from
// `bundle.directory` and writes bundle.json atomically, with its own hash.
void write_bundle_manifest(Bundle& bundle);

}  // namespace edgeloop
