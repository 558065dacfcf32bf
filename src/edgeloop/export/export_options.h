// ExportOptions and ExportReport: what `edgeloop export` asks of export/model_exporter.h and what
// it gets back (written into bundle.json's metrics too). Plain values; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"

namespace edgeloop {

// Runs one model file on a batch and returns probabilities [batch, classes]. `nhwc` is the
// preprocessed batch [batch, H, W, C] float, as Pipeline::apply gives it. One per engine under test.
using ProbabilityRunner =
    std::function<std::vector<float>(const std::filesystem::path& model_file, const std::vector<float>& nhwc, int batch)>;

struct ParityEngine {
  std::string name;           // e.g. "xnnpack"
  ProbabilityRunner run;
};

// Builds the parity runner of the engine `name` with `threads` compute threads and batches of up
// to `max_batch`. Export comes before runtime, so the runtime's engines come in through this seam:
// runtime/toolkit_engines.h runtime_parity_engine is the one the CLI and the quickstart pass.
using ParityEngineFactory = std::function<ParityEngine(const std::string& name, int threads, int max_batch)>;

// Times the device engines on the bundle's written model files (`int8_file` when written) with
// `threads` engine threads and returns bundle.json's "engine_ranking" value. A seam for the same
// reason: runtime/engine_timing.h export_engine_ranking is the one the CLI and the quickstart pass.
using EngineRanker = std::function<Json(const std::filesystem::path& fp32_file,
                                        const std::optional<std::filesystem::path>& int8_file, int threads)>;

struct ExportOptions {
  std::filesystem::path output_directory;   // the bundle folder; must not exist unless `overwrite`
  bool overwrite = false;                   // replace an existing bundle at output_directory
  bool int8 = false;                        // also write model.int8.onnx (QDQ)
  int calibration_images = 200;             // training images that calibrate int8 activation ranges
  int parity_images = 32;                   // validation image files run through LibTorch and every engine
  double parity_tolerance = 1e-4;           // largest allowed |Δ probability| vs LibTorch (fp32)
  int reference_images = 1000;              // training images summarised for drift monitoring
  int int8_evaluation_images = 1000;        // validation images for fp32/int8 accuracy and agreement (0: all)
  int batch_size = 32;                      // images per inference batch
  int threads = 0;                          // LibTorch/OpenCV compute threads (0 = all cores)
  bool include_weights = true;              // copy weights.safetensors for further training
  // Builds the engines named below; required when they are not empty (see ParityEngineFactory).
  ParityEngineFactory engine_factory;
  // The runtime's engines (built by engine_factory) checked against LibTorch, besides the
  // built-in OpenCV DNN check. An engine that cannot map an op is recorded as skipped.
  std::vector<std::string> engine_names = {"xnnpack", "onednn", "opencv"};
  // int8 engines run on model.int8.onnx and compared with the reference QDQ semantics (reported,
  // not enforced: integer kernels round differently).
  std::vector<std::string> int8_engine_names = {"xnnpack-int8", "onednn-int8"};
  // Time the device engines (through engine_ranker) on the written files and store the ranking in
  // bundle.json, so the device can take the fastest; off: no "engine_ranking" in bundle.json.
  bool rank_engines = true;
  EngineRanker engine_ranker;               // required when rank_engines (see EngineRanker)
  int ranking_threads = 1;                  // engine threads while ranking (edgeloop-edge's default)
  // Further engines to check (tests use this to plant a faulty one).
  std::vector<ParityEngine> engines;
};

// One engine's agreement with LibTorch.
struct EngineParity {
  std::string engine;
  int images = 0;
  double max_abs_difference = 0.0;   // over every probability of every image
  bool passed = false;
  std::string skipped;               // why the engine was not run ("" when it ran)
};

// One int8 engine on the QDQ file, against the reference QDQ computation.
struct Int8EngineCheck {
  std::string engine;
  int images = 0;
  double max_abs_difference = 0.0;   // probabilities vs the reference runner
  double agreement = 0.0;            // share of images with the reference's top class
  double accuracy = 0.0;             // 0..1 on the validation labels
  std::string skipped;               // why it did not run ("" when it ran)
};

struct ExportReport {
  std::filesystem::path directory;
  std::string model_id;
  std::vector<EngineParity> parity;
  int64_t fp32_file_bytes = 0;
  int64_t fp32_weight_bytes = 0;     // initializer bytes
  int reference_images = 0;
  // int8 (when written)
  bool has_int8 = false;
  int64_t int8_file_bytes = 0;
  int64_t int8_weight_bytes = 0;
  int evaluation_images = 0;         // validation images behind the figures below
  double fp32_accuracy = 0.0;        // 0..1, LibTorch
  double int8_accuracy = 0.0;        // 0..1, the QDQ model
  double int8_agreement = 0.0;       // share of images where fp32 and int8 agree on the top class
  std::vector<Int8EngineCheck> int8_engines;

  Json to_json() const;
};

}  // namespace edgeloop
