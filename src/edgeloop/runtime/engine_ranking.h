// EngineRanking: which engine runs a bundle fastest on a kind of CPU. Export measures it (the
// toolkit's rank_engines, runtime/engine_timing.h: every device engine that maps the bundle's
// files, one image at a time, p50) and stores it in bundle.json's "engine_ranking"
// (docs/formats.md); the device reads it back (engine_preference) and tries the engines in that
// order, skipping one it does not have. Plain values and stateless functions.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct RankedEngine {
  std::string engine;        // make_engine name: "onednn-int8", "xnnpack", ...
  std::string file;          // the bundle file it runs: "model.onnx" or "model.int8.onnx"
  double p50_ms = 0.0;       // milliseconds per image, batch 1
  std::string skipped;       // why it could not run the file here; empty when measured
};

struct EngineRanking {
  std::string cpu;                   // cpu_class() of the machine that measured
  int threads = 1;                   // engine threads while measuring
  std::vector<RankedEngine> engines; // measured ones fastest first, then the skipped ones

  Json to_json() const;
  // Throws Error(kCorrupt) naming bundle.json when a field is missing or of the wrong type.
  static EngineRanking from_json(const Json& json);
};

// The kind of CPU, as far as engine speed goes: "x86_64-vnni" (AVX-512 VNNI or AVX-VNNI: int8
// dot products, where oneDNN's int8 is 3-4× its fp32), "x86_64", "aarch64", or "other".
std::string cpu_class();

// Whether `engine` is an int8 name ("-int8"), which reads the bundle's model.int8.onnx.
bool is_int8_engine(const std::string& engine);

// The engines this build has, fp32 and int8 names: xnnpack and onednn (when built with oneDNN).
std::vector<std::string> device_engines();

// The order in which a device tries engines for a bundle: the bundle's ranking when it was
// measured on this kind of CPU, else a default for the CPU (oneDNN int8 first with VNNI, XNNPACK
// first otherwise); int8 names only when the bundle has an int8 file and int8 is preferred.
std::vector<std::string> engine_preference(const std::optional<EngineRanking>& ranking, bool has_int8, bool prefer_int8);

}  // namespace edgeloop
