#include "edgeloop/runtime/engine_ranking.h"

#include <algorithm>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

constexpr const char* kInt8Suffix = "-int8";

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

bool is_int8_engine(const std::string& engine) { return engine.ends_with(kInt8Suffix); }

std::string cpu_class() {
#if defined(__x86_64__)
  __builtin_cpu_init();
#if defined(__clang__) && __clang_major__ < 15
  // clang 14 (the fuzz build, fuzz/build.sh) knows no "avxvnni"; AVX-VNNI without AVX-512 VNNI
  // (Alder Lake and later client cores) then reads as plain x86_64.
  return __builtin_cpu_supports("avx512vnni") ? "x86_64-vnni" : "x86_64";
#else
  return __builtin_cpu_supports("avx512vnni") || __builtin_cpu_supports("avxvnni") ? "x86_64-vnni" : "x86_64";
#endif
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
  std::erase_if(order, [&](const std::string& name) { return is_int8_engine(name) && !(has_int8 && prefer_int8); });
  return order;
}

}  // namespace edgeloop
