// bundle_vs_peers: what a device gets, beside ONNX Runtime 1.30 (node peer, bench/peers/ort_peer.js)
// on the same files in the same run: bundles that `edgeloop export --int8` wrote from trained
// models, each engine (xnnpack, onednn; fp32 on model.onnx, int8 on model.int8.onnx) at batch 1,
// p50, with issue 16's targets checked; then each primitive of the onednn engines alone for the
// slowest bundle, which shows where the time goes.
//
// Targets: onednn-int8 ≤ 0.8 × ONNX Runtime int8; onednn-int8 ≥ 2 × onednn fp32 (cnn-m, resnet);
// the best fp32 engine ≤ 1.0 × ONNX Runtime fp32; load + verify + first inference ≤ 50 ms; int8
// validation accuracy (export's check of onednn-int8) within 0.5 points of fp32.
//
// Usage: bundle_vs_peers [--threads N] [--iterations N] BUNDLE_DIR|MODEL.onnx...   (once, on a quiet machine)
//        A MODEL.onnx (MODEL.int8.onnx beside it for the int8 rows) is timed without the load and
//        accuracy columns (seeded ladder files from write_ladder_onnx, when no trained bundle is at hand).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/error.h"
#include "edgeloop/runtime/engine.h"
#include "edgeloop/runtime/latency.h"
#include "edgeloop/runtime/onednn_engine.h"
#include "edgeloop/runtime/onnx_model.h"
#include "edgeloop/runtime/onnxruntime_peer.h"

namespace {

using namespace edgeloop;

constexpr double kInt8VersusOrtTarget = 0.8;     // onednn-int8 p50 ≤ 0.8 × ONNX Runtime int8
constexpr double kInt8SpeedupTarget = 2.0;       // onednn fp32 / onednn-int8 ≥ 2 (cnn-m and resnet)
constexpr double kFp32VersusOrtTarget = 1.0;     // best fp32 engine ≤ ONNX Runtime fp32
constexpr double kLoadTargetMs = 50.0;           // load + verify + engine + first inference
constexpr double kAccuracyDropTarget = 0.005;    // half a point
constexpr int kLoadRepeats = 7;
constexpr int kOperatorRuns = 200;
const std::vector<std::string> kEngines = {"xnnpack", "onednn", "xnnpack-int8", "onednn-int8"};

bool is_int8(const std::string& engine) { return engine.ends_with("-int8"); }

std::string cell(const std::optional<double>& value, const char* format = "%.3f") {
  if (!value) return "-";
  char text[32];
  std::snprintf(text, sizeof(text), format, *value);
  return text;
}

const char* verdict(const std::optional<double>& value, double target, bool at_most) {
  if (!value) return "-";
  return (at_most ? *value <= target : *value >= target) ? "yes" : "NO";
}

std::optional<double> engine_p50(const std::string& engine, const std::filesystem::path& file, int threads,
                                 const LatencyOptions& options, const std::vector<float>& image) {
  try {
    auto built = make_engine(engine, file, EngineOptions{.threads = threads});
    return measure_latency([&] { built->infer(image.data(), 1); }, 1, options).p50_ms;
  } catch (const Error& error) {
    std::fprintf(stderr, "%s on %s: %s\n", engine.c_str(), file.string().c_str(), error.what());
    return std::nullopt;
  }
}

// Median of bundle folder → verified bundle → engine → preprocessed frame → first answer.
double load_to_first_inference_ms(const std::filesystem::path& directory, const std::string& engine, int threads) {
  std::vector<double> samples;
  for (int repeat = 0; repeat < kLoadRepeats; ++repeat) {
    auto start = std::chrono::steady_clock::now();
    Bundle bundle = load_bundle(directory);
    auto built = make_engine(engine, is_int8(engine) ? *bundle.int8_model() : bundle.fp32_model(),
                             EngineOptions{.threads = threads});
    cv::Mat frame(bundle.input.height, bundle.input.width, bundle.input.channels == 1 ? CV_8UC1 : CV_8UC3,
                  cv::Scalar::all(128));
    cv::Mat input = bundle.preprocess.apply(frame);
    built->infer(input.ptr<float>(), 1);
    samples.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

struct BundleRow {
  std::string name;                               // "cnn-m 1x28x28"
  std::filesystem::path directory;                // empty for a plain ONNX file
  std::filesystem::path fp32_file;
  std::optional<std::filesystem::path> int8_file;
  std::vector<int64_t> input;                     // [C, H, W]
  std::map<std::string, std::optional<double>> p50;   // engine → ms; "ort", "ort-int8" too
  std::optional<double> load_ms;
  std::optional<double> fp32_accuracy, int8_accuracy;   // export's validation check
};

std::optional<double> json_number(const Json& json, const std::vector<std::string>& path) {
  const Json* at = &json;
  for (const std::string& key : path) {
    if (!at->is_object() || !at->contains(key)) return std::nullopt;
    at = &(*at)[key];
  }
  return at->is_number() ? std::optional<double>(at->get<double>()) : std::nullopt;
}

std::vector<float> timing_image(const BundleRow& row) {
  return std::vector<float>(size_t(row.input[0] * row.input[1] * row.input[2]), 0.5f);
}

// A bundle folder, or an ONNX file with its .int8.onnx sibling.
BundleRow describe(const std::filesystem::path& target) {
  BundleRow row;
  if (std::filesystem::is_directory(target)) {
    Bundle bundle = load_bundle(target);
    row.directory = target;
    row.fp32_file = bundle.fp32_model();
    row.int8_file = bundle.int8_model();
    row.name = bundle.arch;
    row.fp32_accuracy = json_number(bundle.metrics, {"export", "int8", "fp32_accuracy"});
    if (bundle.metrics.contains("export") && bundle.metrics["export"].contains("int8")) {
      for (const Json& check : bundle.metrics["export"]["int8"].value("engines", Json::array())) {
        if (check.value("engine", "") == "onednn-int8") row.int8_accuracy = json_number(check, {"accuracy"});
      }
    }
  } else {
    row.fp32_file = target;
    auto int8 = target.parent_path() / (target.stem().string() + ".int8.onnx");
    if (std::filesystem::exists(int8)) row.int8_file = int8;
    row.name = target.stem().string();
  }
  const OnnxModel model = OnnxModel::load(row.fp32_file);
  row.input.assign(model.input_shape().begin() + 1, model.input_shape().end());
  if (row.input.size() != 3) throw invalid_argument(row.fp32_file.string() + ": not an image model [N, C, H, W]");
  row.name += " " + std::to_string(row.input[0]) + "x" + std::to_string(row.input[1]) + "x" + std::to_string(row.input[2]);
  return row;
}

void print_operator_times(const BundleRow& row, int threads) {
  for (const std::string engine : {"onednn-int8", "onednn"}) {
    OnednnEngine built(is_int8(engine) ? *row.int8_file : row.fp32_file, EngineOptions{.threads = threads});
    std::vector<float> image = timing_image(row);
    auto times = built.operator_times(image.data(), kOperatorRuns);
    double total = 0.0;
    for (const auto& time : times) total += time.milliseconds;
    std::printf("\n%s, %s: each primitive alone, p50 of %d runs (sum %.4f ms)\n", row.name.c_str(), engine.c_str(),
                kOperatorRuns, total);
    for (const auto& time : times) {
      std::printf("  %8.4f ms %5.1f%%  %-58s %s\n", time.milliseconds, 100.0 * time.milliseconds / total,
                  time.operation.c_str(), time.kernel.c_str());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  LatencyOptions options;
  options.iterations = 300;
  std::vector<std::filesystem::path> bundles;
  for (int index = 1; index < argc; ++index) {
    std::string argument = argv[index];
    if (argument == "--threads" && index + 1 < argc) threads = std::stoi(argv[++index]);
    else if (argument == "--iterations" && index + 1 < argc) options.iterations = std::stoi(argv[++index]);
    else bundles.push_back(argument);
  }
  try {
    auto peer = locate_onnxruntime_peer();
    if (!peer) std::fprintf(stderr, "no ONNX Runtime peer: run `npm install --ignore-scripts` in bench/peers\n");
    std::vector<BundleRow> rows;
    for (const auto& target : bundles) {
      BundleRow row = describe(target);
      std::vector<float> image = timing_image(row);
      for (const std::string& engine : kEngines) {
        if (is_int8(engine) && !row.int8_file) continue;
        row.p50[engine] = engine_p50(engine, is_int8(engine) ? *row.int8_file : row.fp32_file, threads, options, image);
      }
      if (peer) {
        auto ort = run_onnxruntime_peer(*peer, row.fp32_file, threads, 1, options);
        if (ort) row.p50["ort"] = ort->latency.p50_ms;
        if (row.int8_file) {
          auto ort_int8 = run_onnxruntime_peer(*peer, *row.int8_file, threads, 1, options);
          if (ort_int8) row.p50["ort-int8"] = ort_int8->latency.p50_ms;
        }
      }
      if (!row.directory.empty() && row.int8_file) {
        row.load_ms = load_to_first_inference_ms(row.directory, "onednn-int8", threads);
      }
      rows.push_back(row);
    }

    std::printf("batch 1, %d thread(s), %d timed runs, p50 ms per image; same files, same run; load average %.2f\n",
                threads, options.iterations, [] {
                  double load = 0.0;
                  if (FILE* file = std::fopen("/proc/loadavg", "r")) {
                    if (std::fscanf(file, "%lf", &load) != 1) load = 0.0;
                    std::fclose(file);
                  }
                  return load;
                }());
    std::printf("%-22s %8s %8s %8s %8s %8s %8s\n", "bundle", "xnnpack", "onednn", "ort", "xnn-int8", "dnnl-int8",
                "ort-int8");
    for (const BundleRow& row : rows) {
      auto at = [&](const std::string& key) { return row.p50.count(key) ? row.p50.at(key) : std::nullopt; };
      std::printf("%-22s %8s %8s %8s %8s %8s %8s\n", row.name.c_str(), cell(at("xnnpack")).c_str(),
                  cell(at("onednn")).c_str(), cell(at("ort")).c_str(), cell(at("xnnpack-int8")).c_str(),
                  cell(at("onednn-int8")).c_str(), cell(at("ort-int8")).c_str());
    }
    std::printf("\n%-22s %10s %5s %10s %5s %11s %5s %9s %5s %17s %5s\n", "bundle", "int8/ort8", "<=0.8", "fp32/int8",
                ">=2", "best32/ort", "<=1.0", "load+1st", "<=50", "accuracy 32/8", "d<=.5");
    const BundleRow* slowest = nullptr;
    for (const BundleRow& row : rows) {
      auto at = [&](const std::string& key) { return row.p50.count(key) ? row.p50.at(key) : std::nullopt; };
      std::optional<double> versus_ort, speedup, fp32_versus_ort, drop;
      if (at("onednn-int8") && at("ort-int8")) versus_ort = *at("onednn-int8") / *at("ort-int8");
      if (at("onednn-int8") && at("onednn")) speedup = *at("onednn") / *at("onednn-int8");
      std::optional<double> best_fp32 = at("xnnpack");
      if (at("onednn") && (!best_fp32 || *at("onednn") < *best_fp32)) best_fp32 = at("onednn");
      if (best_fp32 && at("ort")) fp32_versus_ort = *best_fp32 / *at("ort");
      if (row.fp32_accuracy && row.int8_accuracy) drop = *row.fp32_accuracy - *row.int8_accuracy;
      bool speedup_applies = row.name.starts_with("cnn-m") || row.name.starts_with("resnet");
      std::string accuracy = cell(row.fp32_accuracy, "%.4f") + "/" + cell(row.int8_accuracy, "%.4f");
      std::printf("%-22s %10s %5s %10s %5s %11s %5s %9s %5s %17s %5s\n", row.name.c_str(), cell(versus_ort).c_str(),
                  verdict(versus_ort, kInt8VersusOrtTarget, true), cell(speedup).c_str(),
                  speedup_applies ? verdict(speedup, kInt8SpeedupTarget, false) : "n/a", cell(fp32_versus_ort).c_str(),
                  verdict(fp32_versus_ort, kFp32VersusOrtTarget, true), cell(row.load_ms, "%.1f").c_str(),
                  verdict(row.load_ms, kLoadTargetMs, true), accuracy.c_str(),
                  verdict(drop, kAccuracyDropTarget, true));
      if (at("onednn-int8") && (!slowest || *at("onednn-int8") > *slowest->p50.at("onednn-int8"))) slowest = &row;
    }
    if (slowest) print_operator_times(*slowest, threads);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bundle_vs_peers: %s\n", error.what());
    return 1;
  }
  return 0;
}
