// The ONNX Runtime peer: runs bench/peers/ort_peer.js (npm onnxruntime-node 1.30) with node on the
// same ONNX file and thread count, so the benchmark can print ONNX Runtime beside the engines.
// Benchmark only (toolkit); a missing node or script is an expected outcome (nullopt).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "edgeloop/runtime/latency.h"

namespace edgeloop {

struct PeerResult {
  std::string version;        // e.g. "1.30.0"
  double load_ms = 0.0;       // session creation
  LatencyStats latency;       // per batch
};

// bench/peers/ort_peer.js under `source_root` when it and its node_modules exist.
std::optional<std::filesystem::path> find_onnxruntime_peer(const std::filesystem::path& source_root);

// The peer script near this program: $EDGELOOP_SOURCE_DIR, else the folders above the running
// executable and above the current directory (a build folder inside the source tree).
std::optional<std::filesystem::path> locate_onnxruntime_peer();

// Runs any peer command that prints one JSON line {"peer", "version", "load_ms", "p50_ms", "p90_ms",
// "p99_ms", "images_per_second"} (ort_peer.js, torch_peer.py); nullopt with a warning when it fails.
std::optional<PeerResult> run_peer_command(const std::string& command, int batch, int iterations);

// Runs the peer; nullopt (with a warning logged) when node or the package is missing or it fails.
std::optional<PeerResult> run_onnxruntime_peer(const std::filesystem::path& script, const std::filesystem::path& model,
                                               int threads, int batch, const LatencyOptions& options);

}  // namespace edgeloop
