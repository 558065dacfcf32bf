#include "edgeloop/runtime/engine_timing.h"

#include <algorithm>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/engine.h"
#include "edgeloop/runtime/onnx_model.h"

namespace edgeloop {
namespace {

constexpr const char* kFp32File = "model.onnx";       // bundle/bundle.h names; bundle/ is not a runtime dependency
constexpr const char* kInt8File = "model.int8.onnx";

constexpr float kTimingPixel = 0.5f;                   // every input value while timing

// Engine ranking at export: enough runs for a stable median of a sub-millisecond model, bounded
// for large ones.
constexpr LatencyOptions kExportRankingLatency{/*warmup=*/10, /*iterations=*/100, /*max_seconds=*/2.0};

// One image of the model's input size ([H, W, C]), every value kTimingPixel.
std::vector<float> timing_image(const std::filesystem::path& model_file) {
  const OnnxModel model = OnnxModel::load(model_file);
  const std::vector<int64_t>& shape = model.input_shape();
  int64_t size = 1;
  for (size_t axis = 1; axis < shape.size(); ++axis) size *= std::max<int64_t>(shape[axis], 1);
  return std::vector<float>(size_t(size), kTimingPixel);
}

}  // namespace

EngineRanking rank_engines(const std::filesystem::path& fp32_file, const std::optional<std::filesystem::path>& int8_file,
                           int threads, const LatencyOptions& latency) {
  EngineRanking ranking;
  ranking.cpu = cpu_class();
  ranking.threads = threads;
  std::vector<RankedEngine> skipped;
  for (const std::string& name : device_engines()) {
    const bool int8 = is_int8_engine(name);
    if (int8 && !int8_file) continue;
    RankedEngine entry{name, int8 ? kInt8File : kFp32File};
    try {
      EngineOptions options;
      options.threads = threads;
      auto engine = make_engine(name, int8 ? *int8_file : fp32_file, options);
      std::vector<float> image = timing_image(int8 ? *int8_file : fp32_file);
      entry.p50_ms = measure_latency([&] { engine->infer(image.data(), 1); }, 1, latency).p50_ms;
      ranking.engines.push_back(entry);
    } catch (const Error& error) {
      entry.skipped = error.what();
      skipped.push_back(entry);
    }
  }
  std::stable_sort(ranking.engines.begin(), ranking.engines.end(),
                   [](const RankedEngine& left, const RankedEngine& right) { return left.p50_ms < right.p50_ms; });
  ranking.engines.insert(ranking.engines.end(), skipped.begin(), skipped.end());
  return ranking;
}

Json export_engine_ranking(const std::filesystem::path& fp32_file, const std::optional<std::filesystem::path>& int8_file,
                           int threads) {
  return rank_engines(fp32_file, int8_file, threads, kExportRankingLatency).to_json();
}

}  // namespace edgeloop
