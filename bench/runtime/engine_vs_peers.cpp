// engine_vs_peers: batch-1 latency of the xnnpack engine (fp32 and int8) and OpenCV DNN beside
// ONNX Runtime 1.30 (node peer, bench/peers/ort_peer.js) on the same ONNX files and thread count,
// in one run, with the issue-8 targets checked. Also load-to-first-inference of the xnnpack engine.
//
// PyTorch eager (bench/peers/torch_peer.py) runs the same fp32 file's graph on its own initializers
// through torch.nn.functional.
//
// Usage: engine_vs_peers [--threads N] [--iterations N] MODEL.onnx...   (MODEL.int8.onnx beside it
//        is used for the int8 rows when present)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/engine.h"
#include "edgeloop/runtime/latency.h"
#include "edgeloop/runtime/onnx_model.h"
#include "edgeloop/runtime/onnxruntime_peer.h"

namespace {

using namespace edgeloop;

constexpr double kFp32TargetRatio = 1.15;      // xnnpack fp32 ≤ 1.15 × ONNX Runtime
constexpr double kInt8TargetSpeedup = 1.3;     // xnnpack int8 ≥ 1.3 × faster than xnnpack fp32
constexpr double kLoadTargetMs = 50.0;         // load to first inference

std::optional<LatencyStats> engine_latency(const std::string& engine, const std::filesystem::path& file, int threads,
                                           const LatencyOptions& options, double* load_to_first_ms) {
  try {
    auto start = std::chrono::steady_clock::now();
    auto built = make_engine(engine, file, EngineOptions{.threads = threads});
    OnnxModel model = OnnxModel::load(file);
    size_t image = 1;
    for (size_t axis = 1; axis < model.input_shape().size(); ++axis) image *= size_t(model.input_shape()[axis]);
    std::vector<float> input(image, 0.5f);
    built->infer(input.data(), 1);
    if (load_to_first_ms) {
      *load_to_first_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    }
    return measure_latency([&] { built->infer(input.data(), 1); }, 1, options);
  } catch (const Error& error) {
    std::fprintf(stderr, "%s on %s: %s\n", engine.c_str(), file.filename().c_str(), error.what());
    return std::nullopt;
  }
}

std::string cell(const std::optional<double>& value) {
  char text[32];
  if (!value) return "-";
  std::snprintf(text, sizeof(text), "%.3f", *value);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  LatencyOptions options;
  options.iterations = 300;
  std::vector<std::filesystem::path> models;
  for (int index = 1; index < argc; ++index) {
    std::string argument = argv[index];
    if (argument == "--threads" && index + 1 < argc) threads = std::stoi(argv[++index]);
    else if (argument == "--iterations" && index + 1 < argc) options.iterations = std::stoi(argv[++index]);
    else models.push_back(argument);
  }
  auto peer = find_onnxruntime_peer(EDGELOOP_SOURCE_DIR);
  if (!peer) std::fprintf(stderr, "no ONNX Runtime peer: run `npm install --ignore-scripts` in bench/peers\n");
  std::printf("batch 1, %d thread(s), %d timed runs, p50 ms per image (same run, same files)\n", threads,
              options.iterations);
  std::printf("%-12s %9s %9s %9s %9s %9s %9s | %9s %6s %9s %8s %9s\n", "model", "xnnpack", "xnn-int8", "opencv",
              "ort-fp32", "ort-int8", "torch", "xnn/ort", "<=1.15", "fp32/int8", ">=1.3", "load+1st");
  for (const auto& fp32 : models) {
    std::filesystem::path int8 = fp32.parent_path() / (fp32.stem().string() + ".int8.onnx");
    bool has_int8 = std::filesystem::exists(int8);
    double load_ms = 0.0;
    auto xnn = engine_latency("xnnpack", fp32, threads, options, &load_ms);
    auto xnn_int8 = has_int8 ? engine_latency("xnnpack-int8", int8, threads, options, nullptr) : std::nullopt;
    auto opencv = engine_latency("opencv", fp32, threads, options, nullptr);
    std::optional<PeerResult> ort, ort_int8;
    if (peer) {
      ort = run_onnxruntime_peer(*peer, fp32, threads, 1, options);
      if (has_int8) ort_int8 = run_onnxruntime_peer(*peer, int8, threads, 1, options);
    }
    std::optional<PeerResult> eager =
        run_peer_command("/usr/bin/python3 '" + std::string(EDGELOOP_SOURCE_DIR) + "/bench/peers/torch_peer.py' '" +
                             fp32.string() + "' --threads " + std::to_string(threads) + " --iterations " +
                             std::to_string(options.iterations),
                         1, options.iterations);
    auto p50 = [](const auto& stats) { return stats ? std::optional<double>(stats->p50_ms) : std::nullopt; };
    auto peer_p50 = [](const auto& result) { return result ? std::optional<double>(result->latency.p50_ms) : std::nullopt; };
    std::optional<double> ratio, speedup;
    if (xnn && ort) ratio = xnn->p50_ms / ort->latency.p50_ms;
    if (xnn && xnn_int8) speedup = xnn->p50_ms / xnn_int8->p50_ms;
    std::printf("%-12s %9s %9s %9s %9s %9s %9s | %9s %6s %9s %8s %9s\n", fp32.stem().c_str(), cell(p50(xnn)).c_str(),
                cell(p50(xnn_int8)).c_str(), cell(p50(opencv)).c_str(), cell(peer_p50(ort)).c_str(),
                cell(peer_p50(ort_int8)).c_str(), cell(peer_p50(eager)).c_str(), cell(ratio).c_str(),
                ratio ? (*ratio <= kFp32TargetRatio ? "yes" : "NO") : "-", cell(speedup).c_str(),
                speedup ? (*speedup >= kInt8TargetSpeedup ? "yes" : "NO") : "-", cell(load_ms).c_str());
    if (xnn_int8 && ort) {
      std::printf("%-12s int8 xnnpack %.3f ms vs ONNX Runtime fp32 %.3f ms: %s; load+first inference %.1f ms (<= %.0f: %s)\n",
                  "", xnn_int8->p50_ms, ort->latency.p50_ms, xnn_int8->p50_ms < ort->latency.p50_ms ? "faster" : "NOT faster",
                  load_ms, kLoadTargetMs, load_ms <= kLoadTargetMs ? "yes" : "NO");
    }
  }
  return 0;
}
