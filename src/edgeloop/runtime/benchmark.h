// Benchmark: the speed/accuracy trade-off of one model across engines and settings, measured, not
// guessed. Per engine × threads × batch: file size, load time, batch-1 latency percentiles without
// and with preprocessing (decode + Pipeline + infer), throughput, peak RSS, validation accuracy;
// the Pareto front of accuracy vs latency marked; rows over the limits flagged. Also the ONNX
// Runtime peer's rows when its node script is installed. Called by `edgeloop bench` (the CLI only
// prints) and bench/runtime. Runs engines one after another on the calling thread; not reentrant.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/core/progress.h"
#include "edgeloop/core/threads.h"
#include "edgeloop/preprocess/pipeline.h"
#include "edgeloop/runtime/engine.h"

namespace edgeloop {

// One validation image as stored: encoded bytes (PNG/JPEG) and its class id. Decoded through
// try_decode_untrusted_image with the device's pixel cap: one the device would refuse is skipped.
struct LabeledImage {
  std::string encoded;
  int label = -1;
};

// What is benchmarked: a bundle's files, or a bare ONNX file, plus engines the caller builds
// itself (torch and classic live outside this library).
struct BenchmarkSubject {
  std::string name;                                   // shown in the report: bundle folder or file
  std::optional<std::filesystem::path> fp32_model;    // model.onnx
  std::optional<std::filesystem::path> int8_model;    // model.int8.onnx (QDQ)
  Pipeline preprocess = Pipeline::default_for(InputShape{});
  std::vector<std::string> labels;                    // index = class id
  std::vector<LabeledImage> validation;               // may be empty: then no accuracy, random input
  struct ExtraEngine {
    std::filesystem::path file;                       // what it loads (for the size column)
    std::function<std::unique_ptr<Engine>(const EngineOptions&)> make;
  };
  std::map<std::string, ExtraEngine> extra_engines;   // e.g. "torch", "classic"
};

struct BenchmarkOptions {
  // Engines to run; unknown or unavailable ones get a row with the reason. "onnxruntime" and
  // "onnxruntime-int8" are the node peer on the same files.
  std::vector<std::string> engines = {"xnnpack", "xnnpack-int8", "opencv", "opencv-int8", "onnxruntime"};
  std::vector<int> threads = {1};        // compute threads per row
  std::vector<int> batches = {1};        // batch sizes for the throughput column
  int iterations = 200;                  // timed batch-1 runs per row (with and without preprocessing)
  int warmup = 20;                       // untimed runs before timing
  int max_validation_images = 1000;      // accuracy over at most this many (the first ones)
  int calibration_images = 32;           // opencv-int8 calibrates on this many validation images
  double max_latency_ms = 0.0;           // flag rows whose batch-1 p50 exceeds this; 0 = no limit
  double max_ram_mb = 0.0;               // flag rows whose peak RSS exceeds this; 0 = no limit
  std::filesystem::path onnxruntime_peer;   // bench/peers/ort_peer.js; empty = no ONNX Runtime rows
  ProgressCallback progress;             // one step per row
  // Process-wide thread counts besides OpenCV's that a row's thread count also applies to while
  // it runs (core/threads.h ScopedThreads): LibTorch's when the torch engine is benchmarked.
  std::vector<ThreadSetting> thread_settings;
};

struct BenchmarkRow {
  std::string engine;
  int threads = 1;
  int batch = 1;
  std::string error;                     // why the engine could not run; the figures below are unset
  int64_t file_bytes = 0;
  double load_ms = 0.0;                  // construction to ready
  double first_inference_ms = 0.0;       // construction + first inference (what a device waits for)
  double p50_ms = 0.0, p90_ms = 0.0, p99_ms = 0.0;                         // batch 1, model only
  double p50_with_preprocess_ms = 0.0, p90_with_preprocess_ms = 0.0, p99_with_preprocess_ms = 0.0;  // decode+pipeline+model
  double images_per_second = 0.0;        // at `batch`
  double peak_rss_mb = -1.0;             // process peak resident memory while this row ran; -1 unknown
  std::optional<double> accuracy;        // top-1 on the validation images (0..1)
  bool pareto = false;                   // on the accuracy-vs-latency front
  bool over_latency = false;
  bool over_ram = false;
};

struct BenchmarkReport {
  std::string subject;
  int validation_images = 0;
  double load_average = 0.0;             // 1-minute load average when the run started
  int cores = 0;
  std::vector<BenchmarkRow> rows;
};

BenchmarkReport run_benchmark(const BenchmarkSubject& subject, const BenchmarkOptions& options);

// The engines that apply to `subject`: fp32 ones with an fp32 file, int8 ones with an int8 file,
// the ONNX Runtime peer rows, then the subject's extra engines.
std::vector<std::string> default_engines(const BenchmarkSubject& subject);

// Marks `pareto` on rows with an accuracy: no other row is at least as accurate and at least as fast
// with one of the two strictly better.
void mark_pareto_front(std::vector<BenchmarkRow>& rows);

// {"subject", "validation_images", "load_average", "cores", "rows": [{...every BenchmarkRow field}]}
Json benchmark_to_json(const BenchmarkReport& report);

}  // namespace edgeloop
