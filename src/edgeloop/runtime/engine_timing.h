// Timing the device engines on a bundle's model files: the measurement behind bundle.json's
// "engine_ranking" (runtime/engine_ranking.h holds the values and what the device does with them).
// Toolkit only (edgeloop_runtime_toolkit): export calls it through ExportOptions::engine_ranker.
// Stateless functions; they use the calling thread.
#pragma once

#include <filesystem>
#include <optional>

#include "edgeloop/core/config.h"
#include "edgeloop/runtime/engine_ranking.h"
#include "edgeloop/runtime/latency.h"

namespace edgeloop {

// Times every engine of device_engines() on the file it reads (int8 names on `int8_file`, when
// given); an engine that cannot load a file is listed with the reason it was skipped.
EngineRanking rank_engines(const std::filesystem::path& fp32_file, const std::optional<std::filesystem::path>& int8_file,
                           int threads, const LatencyOptions& latency);

// rank_engines with export's latency settings, as bundle.json's "engine_ranking" value. Fits
// ExportOptions::engine_ranker.
Json export_engine_ranking(const std::filesystem::path& fp32_file, const std::optional<std::filesystem::path>& int8_file,
                           int threads);

}  // namespace edgeloop
