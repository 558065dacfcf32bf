#include "edgeloop/runtime/engine_ranking.h"

#include <algorithm>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/engine.h"
#include "edgeloop/runtime/onnx_model.h"

namespace edgeloop {
namespace {

constexpr const char* kFp32File = "model.onnx";       // bundle/bundle.h names; bundle/ is not a runtime dependency
constexpr const char* kInt8File = "model.int8.onnx";
constexpr const char* kInt8Suffix = "-int8";

constexpr float kTimingPixel = 0.5f;                   // every input value while timing

bool is_int8(const std::string& engine) { return engine.ends_with(kInt8Suffix); }

// One image of the model's input size ([H, W, C]), every value kTimingPixel.
std::vector<float> timing_image(const std::filesystem::path& model_file) {
  const OnnxModel model = OnnxModel::load(model_file);
  const std::vector<int64_t>& shape = model.input_shape();
  int64_t size = 1;
  for (size_t axis = 1; axis < shape.size(); ++axis) size *= std::max<int64_t>(shape[axis], 1);
  return std::vector<float>(size_t(size), kTimingPixel);
}

}  // namespace

Json EngineRanking::to_json() const {
  Json list = Json::array();
  for (const RankedEngine& entry : engines) {
    Json item = {{"engine", entry.engine}, {"file", entry.file}};
    if (entry.skipped.empty()) {
      item["p50_ms"] = entry.p50_ms;
    } else {
      item["skipped"] = entry.skipped;
    }
    list.push_back(item);
  }
  return {{"cpu", cpu}, {"threads", threads}, {"engines", list}};
}

EngineRanking EngineRanking::from_json(const Json& json) {
  try {
    EngineRanking ranking;
    ranking.cpu = json.at("cpu").get<std::string>();
    ranking.threads = json.at("threads").get<int>();
    for (const Json& item : json.at("engines")) {
      RankedEngine entry{item.at("engine").get<std::string>(), item.at("file").get<std::string>()};
      if (item.contains("skipped")) {
        entry.skipped = item.at("skipped").get<std::string>();
      } else {
        entry.p50_ms = item.at("p50_ms").get<double>();
      }
      ranking.engines.push_back(entry);
    }
    return ranking;
  } catch (const Json::exception& error) {
    throw corrupt(std::string("bundle.json: engine_ranking is malformed (") + error.what() + "): re-export the bundle");
  }
}

std::string cpu_class() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512vnni") || __builtin_cpu_supports("avxvnni") ? "x86_64-vnni" : "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "other";
#endif
}

std::vector<std::string> device_engines() {
#ifdef EDGELOOP_WITH_ONEDNN
  return {"onednn-int8", "xnnpack-int8", "onednn", "xnnpack"};
#else
  return {"xnnpack-int8", "xnnpack"};
#endif
}

EngineRanking rank_engines(const std::filesystem::path& fp32_file, const std::optional<std::filesystem::path>& int8_file,
                           int threads, const LatencyOptions& latency) {
  EngineRanking ranking;
  ranking.cpu = cpu_class();
  ranking.threads = threads;
  std::vector<RankedEngine> skipped;
  for (const std::string& name : device_engines()) {
    if (is_int8(name) && !int8_file) continue;
    RankedEngine entry{name, is_int8(name) ? kInt8File : kFp32File};
    try {
      EngineOptions options;
      options.threads = threads;
      auto engine = make_engine(name, is_int8(name) ? *int8_file : fp32_file, options);
      std::vector<float> image = timing_image(is_int8(name) ? *int8_file : fp32_file);
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

std::vector<std::string> engine_preference(const std::optional<EngineRanking>& ranking, bool has_int8, bool prefer_int8) {
  std::vector<std::string> order;
  if (ranking && ranking->cpu == cpu_class()) {
    for (const RankedEngine& entry : ranking->engines) {
      if (entry.skipped.empty()) order.push_back(entry.engine);
    }
  } else if (cpu_class() == "x86_64-vnni") {
    order = {"onednn-int8", "xnnpack-int8", "onednn", "xnnpack"};
  } else {
    order = {"xnnpack-int8", "xnnpack", "onednn-int8", "onednn"};
  }
  // Every engine stays a fallback after the ranked ones (one that could not map here may elsewhere).
  for (const std::string& name : device_engines()) {
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  }
  std::erase_if(order, [&](const std::string& name) { return is_int8(name) && !(has_int8 && prefer_int8); });
  return order;
}

}  // namespace edgeloop
