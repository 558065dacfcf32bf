#include "edgeloop/runtime/onnxruntime_peer.h"

#include <array>
#include <cstdio>
#include <cstdlib>

#include "edgeloop/core/config.h"
#include "edgeloop/core/log.h"

namespace edgeloop {

std::optional<std::filesystem::path> find_onnxruntime_peer(const std::filesystem::path& source_root) {
  auto script = source_root / "bench/peers/ort_peer.js";
  if (!std::filesystem::exists(script) ||
      !std::filesystem::exists(source_root / "bench/peers/node_modules/onnxruntime-node")) {
    return std::nullopt;
  }
  return script;
}

std::optional<std::filesystem::path> locate_onnxruntime_peer() {
  constexpr int kLevelsUp = 5;
  if (const char* source = std::getenv("EDGELOOP_SOURCE_DIR")) {
    if (auto found = find_onnxruntime_peer(source)) return found;
  }
  std::error_code ignored;
  for (std::filesystem::path start : {std::filesystem::read_symlink("/proc/self/exe", ignored).parent_path(),
                                      std::filesystem::current_path(ignored)}) {
    for (int level = 0; level < kLevelsUp && !start.empty(); ++level, start = start.parent_path()) {
      if (auto found = find_onnxruntime_peer(start)) return found;
      if (start == start.root_path()) break;
    }
  }
  return std::nullopt;
}

std::optional<PeerResult> run_onnxruntime_peer(const std::filesystem::path& script, const std::filesystem::path& model,
                                               int threads, int batch, const LatencyOptions& options) {
  return run_peer_command("node '" + script.string() + "' '" + model.string() + "' --threads " + std::to_string(threads) +
                              " --batch " + std::to_string(batch) + " --iterations " + std::to_string(options.iterations) +
                              " --warmup " + std::to_string(options.warmup),
                          batch, options.iterations);
}

std::optional<PeerResult> run_peer_command(const std::string& command, int batch, int iterations) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string output;
  std::array<char, 4096> buffer{};
  size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), count);
  int status = ::pclose(pipe);
  size_t line = output.rfind("{\"peer\"");
  if (status != 0 || line == std::string::npos) {
    spdlog::warn("peer failed ({}): {}", command, output.substr(0, output.find('\n')));
    return std::nullopt;
  }
  try {
    Json parsed = Json::parse(output.substr(line));
    PeerResult result;
    result.version = parsed.value("version", "");
    result.load_ms = parsed.value("load_ms", 0.0);
    result.latency.runs = iterations;
    result.latency.p50_ms = parsed.value("p50_ms", 0.0);
    result.latency.p90_ms = parsed.value("p90_ms", 0.0);
    result.latency.p99_ms = parsed.value("p99_ms", 0.0);
    result.latency.images_per_second = parsed.value("images_per_second", 0.0);
    result.latency.mean_ms = result.latency.images_per_second > 0 ? 1000.0 * batch / result.latency.images_per_second : 0;
    return result;
  } catch (const std::exception& error) {
    spdlog::warn("peer printed unreadable JSON: {}", error.what());
    return std::nullopt;
  }
}

}  // namespace edgeloop
