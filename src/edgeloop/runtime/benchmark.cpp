#include "edgeloop/runtime/benchmark.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/image_probe.h"
#include "edgeloop/core/log.h"
#include "edgeloop/core/pareto_front.h"
#include "edgeloop/core/untrusted_image.h"
#include "edgeloop/runtime/latency.h"
#include "edgeloop/runtime/onnxruntime_peer.h"
#include "edgeloop/runtime/toolkit_engines.h"

namespace edgeloop {
namespace {

constexpr double kBytesPerMegabyte = 1024.0 * 1024.0;
constexpr double kKilobytesPerMegabyte = 1024.0;
constexpr unsigned kRandomInputSeed = 12345;
constexpr int kRandomImages = 8;   // stand-in inputs when there are no validation images
// Validation images come from a folder or the object store: outside bytes, decoded the one way
// (core/untrusted_image.h) with the device's pixel cap, as the device decodes a posted image; so an
// image the device would refuse is not measured, and the latency with preprocessing includes the
// checks the device makes.
constexpr int kDecodeAsStored = cv::IMREAD_UNCHANGED;

// ---- process memory (Linux /proc) -------------------------------------------------------------

// Resets the kernel's peak-RSS mark of this process (VmHWM), so the next reading covers one row.
void reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      double kilobytes = 0.0;
      status >> kilobytes;
      return kilobytes / kKilobytesPerMegabyte;
    }
    status.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return -1.0;
}

double load_average() {
  std::ifstream file("/proc/loadavg");
  double one_minute = 0.0;
  file >> one_minute;
  return one_minute;
}

int64_t file_size(const std::optional<std::filesystem::path>& path) {
  std::error_code ignored;
  return path ? int64_t(std::filesystem::file_size(*path, ignored)) : 0;
}

// ---- inputs -----------------------------------------------------------------------------------

struct PreparedInputs {
  size_t image_floats = 0;                 // H*W*C
  std::vector<std::vector<float>> images;  // preprocessed [H, W, C]
  std::vector<int> labels;                 // -1 for stand-in images
  std::vector<std::string> encoded;        // what decode + preprocessing starts from
};

std::vector<float> to_floats(const cv::Mat& preprocessed) {
  cv::Mat continuous = preprocessed.isContinuous() ? preprocessed : preprocessed.clone();
  const float* data = continuous.ptr<float>();
  return std::vector<float>(data, data + continuous.total() * size_t(continuous.channels()));
}

PreparedInputs prepare_inputs(const BenchmarkSubject& subject, int limit) {
  PreparedInputs inputs;
  InputShape shape = subject.preprocess.output_shape();
  inputs.image_floats = size_t(shape.channels) * size_t(shape.height) * size_t(shape.width);
  int skipped = 0;
  std::string first_reason;
  for (const LabeledImage& image : subject.validation) {
    if (int(inputs.images.size()) >= limit) break;
    UntrustedImage decoded = try_decode_untrusted_image(encoded_bytes(image.encoded), kDefaultMaxMegapixels, kDecodeAsStored);
    if (decoded.refusal != ImageRefusal::kNone) {   // a validation image the device would refuse is skipped, not fatal
      if (skipped++ == 0) first_reason = decoded.reason;
      continue;
    }
    inputs.images.push_back(to_floats(subject.preprocess.apply(decoded.image)));
    inputs.labels.push_back(image.label);
    inputs.encoded.push_back(image.encoded);
  }
  if (skipped > 0) spdlog::warn("bench: {} validation image(s) skipped, the first: {}", skipped, first_reason);
  if (inputs.images.empty()) {   // random 8-bit images of the input size, encoded as PNG
    std::mt19937 generator(kRandomInputSeed);
    for (int index = 0; index < kRandomImages; ++index) {
      cv::Mat random(shape.height, shape.width, shape.channels == 1 ? CV_8UC1 : CV_8UC3);
      for (size_t at = 0; at < random.total() * size_t(random.channels()); ++at) random.data[at] = uint8_t(generator());
      std::vector<uint8_t> png;
      cv::imencode(".png", random, png);
      inputs.encoded.emplace_back(png.begin(), png.end());
      inputs.images.push_back(to_floats(subject.preprocess.apply(random)));
      inputs.labels.push_back(-1);
    }
  }
  for (const auto& image : inputs.images) {
    if (image.size() != inputs.image_floats) {
      throw invalid_argument(subject.name + ": preprocessing gives " + std::to_string(image.size()) +
                             " values per image, the model takes " + std::to_string(inputs.image_floats));
    }
  }
  return inputs;
}

std::vector<float> batch_of(const PreparedInputs& inputs, size_t first, int batch) {
  std::vector<float> values;
  values.reserve(inputs.image_floats * size_t(batch));
  for (int index = 0; index < batch; ++index) {
    const auto& image = inputs.images[(first + size_t(index)) % inputs.images.size()];
    values.insert(values.end(), image.begin(), image.end());
  }
  return values;
}

int top1(const InferenceResult& result, int image) {
  auto begin = result.probabilities.begin() + ptrdiff_t(image) * result.classes;
  return int(std::max_element(begin, begin + result.classes) - begin);
}

// ---- one engine -------------------------------------------------------------------------------

class EngineRows {
 public:
  EngineRows(const BenchmarkSubject& subject, const BenchmarkOptions& options, const PreparedInputs& inputs)
      : subject_(subject), options_(options), inputs_(inputs) {}

  // Rows (one per batch size) for `engine` at `threads`.
  std::vector<BenchmarkRow> run(const std::string& engine, int threads) {
    BenchmarkRow row;
    row.engine = engine;
    row.threads = threads;
    const ScopedThreads row_threads(threads, options_.thread_settings);   // OpenCV-based engines, LibTorch
    try {
      if (engine == "onnxruntime" || engine == "onnxruntime-int8") return peer_rows(row);
      measure(row);
    } catch (const Error& error) {
      row.error = error.what();
    }
    return expand_batches(row);
  }

 private:
  std::vector<BenchmarkRow> expand_batches(const BenchmarkRow& row) {
    std::vector<BenchmarkRow> rows;
    for (int batch : options_.batches) {
      BenchmarkRow copy = row;
      copy.batch = batch;
      auto found = throughput_.find(batch);
      copy.images_per_second = found == throughput_.end() ? 0.0 : found->second;
      rows.push_back(copy);
    }
    throughput_.clear();
    return rows;
  }

  std::unique_ptr<Engine> build(const std::string& engine, const EngineOptions& engine_options, int64_t& bytes) {
    auto extra = subject_.extra_engines.find(engine);
    if (extra != subject_.extra_engines.end()) {
      bytes = file_size(extra->second.file);
      return extra->second.make(engine_options);
    }
    bool wants_int8_file = engine == "xnnpack-int8" || engine == "onednn-int8";
    const auto& file = wants_int8_file ? subject_.int8_model : subject_.fp32_model;
    if (!file) {
      throw not_found(subject_.name + " has no " + (wants_int8_file ? "int8 model (export with --int8)" : "ONNX model") +
                      " for engine " + engine);
    }
    bytes = file_size(file);
    return make_toolkit_engine(engine, *file, engine_options);
  }

  void measure(BenchmarkRow& row) {
    EngineOptions engine_options;
    engine_options.threads = row.threads;
    engine_options.max_batch = *std::max_element(options_.batches.begin(), options_.batches.end());
    if (row.engine == "opencv-int8") {
      engine_options.calibration_images = batch_of(inputs_, 0, std::min<int>(options_.calibration_images,
                                                                             int(inputs_.images.size())));
    }
    reset_peak_rss();
    auto start = std::chrono::steady_clock::now();
    std::unique_ptr<Engine> engine = build(row.engine, engine_options, row.file_bytes);
    engine->infer(inputs_.images[0].data(), 1);
    row.first_inference_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    row.load_ms = engine->load_milliseconds();

    LatencyOptions latency{options_.warmup, options_.iterations};
    size_t next = 0;
    LatencyStats model_only = measure_latency(
        [&] { engine->infer(inputs_.images[next++ % inputs_.images.size()].data(), 1); }, 1, latency);
    row.p50_ms = model_only.p50_ms;
    row.p90_ms = model_only.p90_ms;
    row.p99_ms = model_only.p99_ms;
    LatencyStats with_preprocess = measure_latency(
        [&] {
          const std::string& encoded = inputs_.encoded[next++ % inputs_.encoded.size()];
          cv::Mat decoded = decode_untrusted_image(encoded_bytes(encoded), kDefaultMaxMegapixels, kDecodeAsStored,
                                                   "validation image");
          cv::Mat prepared = subject_.preprocess.apply(decoded);
          if (!prepared.isContinuous()) prepared = prepared.clone();
          engine->infer(prepared.ptr<float>(), 1);
        },
        1, latency);
    row.p50_with_preprocess_ms = with_preprocess.p50_ms;
    row.p90_with_preprocess_ms = with_preprocess.p90_ms;
    row.p99_with_preprocess_ms = with_preprocess.p99_ms;
    for (int batch : options_.batches) {
      if (batch == 1) {
        throughput_[1] = model_only.images_per_second;
        continue;
      }
      std::vector<float> input = batch_of(inputs_, 0, batch);
      LatencyOptions batched{std::max(1, options_.warmup / batch), std::max(1, options_.iterations / batch)};
      throughput_[batch] = measure_latency([&] { engine->infer(input.data(), batch); }, batch, batched).images_per_second;
    }
    row.accuracy = accuracy(*engine, engine_options.max_batch);
    row.peak_rss_mb = peak_rss_mb();
  }

  std::optional<double> accuracy(Engine& engine, int batch) {
    if (inputs_.labels.empty() || inputs_.labels[0] < 0) return std::nullopt;
    int correct = 0, total = int(inputs_.images.size());
    for (int first = 0; first < total; first += batch) {
      int count = std::min(batch, total - first);
      std::vector<float> input = batch_of(inputs_, size_t(first), count);
      InferenceResult result = engine.infer(input.data(), count);
      for (int image = 0; image < count; ++image) correct += top1(result, image) == inputs_.labels[size_t(first + image)];
    }
    return double(correct) / double(total);
  }

  std::vector<BenchmarkRow> peer_rows(BenchmarkRow row) {
    bool int8 = row.engine == "onnxruntime-int8";
    const auto& file = int8 ? subject_.int8_model : subject_.fp32_model;
    if (options_.onnxruntime_peer.empty()) {
      row.error = "ONNX Runtime peer not installed (npm install --ignore-scripts in bench/peers)";
    } else if (!file) {
      row.error = std::string("no ") + (int8 ? "int8 " : "") + "ONNX file to give ONNX Runtime";
    } else {
      row.file_bytes = file_size(file);
      LatencyOptions latency{options_.warmup, options_.iterations};
      for (int batch : options_.batches) {
        auto result = run_onnxruntime_peer(options_.onnxruntime_peer, *file, row.threads, batch,
                                           batch == 1 ? latency : LatencyOptions{1, std::max(1, latency.iterations / batch)});
        if (!result) {
          row.error = "the ONNX Runtime peer failed (see the log)";
          break;
        }
        throughput_[batch] = result->latency.images_per_second;
        if (batch == 1 || row.p50_ms == 0.0) {
          row.load_ms = result->load_ms;
          row.p50_ms = result->latency.p50_ms / batch;
          row.p90_ms = result->latency.p90_ms / batch;
          row.p99_ms = result->latency.p99_ms / batch;
        }
      }
    }
    return expand_batches(row);
  }

  const BenchmarkSubject& subject_;
  const BenchmarkOptions& options_;
  const PreparedInputs& inputs_;
  std::map<int, double> throughput_;   // batch → images per second, for the rows being made
};

}  // namespace

void mark_pareto_front(std::vector<BenchmarkRow>& rows) {
  std::vector<TradeOffPoint> points;
  for (const BenchmarkRow& row : rows) {
    points.push_back({row.accuracy.value_or(0.0), row.p50_ms, row.accuracy.has_value() && row.error.empty()});
  }
  const std::vector<bool> on_front = pareto_front(points);
  for (size_t index = 0; index < rows.size(); ++index) rows[index].pareto = on_front[index];
}

std::vector<std::string> default_engines(const BenchmarkSubject& subject) {
  std::vector<std::string> engines;
  if (subject.fp32_model) engines.insert(engines.end(), {"xnnpack", "onednn", "opencv", "opencv-int8"});
  if (subject.int8_model) engines.insert(engines.end(), {"xnnpack-int8", "onednn-int8"});
  if (subject.fp32_model) engines.push_back("onnxruntime");
  if (subject.int8_model) engines.push_back("onnxruntime-int8");
  for (const auto& [name, extra] : subject.extra_engines) engines.push_back(name);
  return engines;
}

BenchmarkReport run_benchmark(const BenchmarkSubject& subject, const BenchmarkOptions& options) {
  if (options.threads.empty() || options.batches.empty() || options.engines.empty()) {
    throw invalid_argument("bench: give at least one engine, thread count and batch size");
  }
  for (int batch : options.batches) {
    if (batch < 1) throw invalid_argument("bench: batch sizes must be at least 1, got " + std::to_string(batch));
  }
  BenchmarkReport report;
  report.subject = subject.name;
  report.load_average = load_average();
  report.cores = int(std::thread::hardware_concurrency());
  PreparedInputs inputs = prepare_inputs(subject, options.max_validation_images);
  report.validation_images = inputs.labels.empty() || inputs.labels[0] < 0 ? 0 : int(inputs.images.size());
  EngineRows engines(subject, options, inputs);
  int64_t done = 0, total = int64_t(options.engines.size() * options.threads.size());
  for (const std::string& engine : options.engines) {
    for (int threads : options.threads) {
      if (options.progress) options.progress({"bench", done, total, engine + " " + std::to_string(threads) + " thread(s)"});
      for (BenchmarkRow& row : engines.run(engine, threads)) {
        row.over_latency = options.max_latency_ms > 0 && row.error.empty() && row.p50_ms > options.max_latency_ms;
        row.over_ram = options.max_ram_mb > 0 && row.peak_rss_mb > options.max_ram_mb;
        report.rows.push_back(row);
      }
      ++done;
    }
  }
  if (options.progress) options.progress({"bench", done, total, "done"});
  mark_pareto_front(report.rows);
  return report;
}

Json benchmark_to_json(const BenchmarkReport& report) {
  Json rows = Json::array();
  for (const BenchmarkRow& row : report.rows) {
    Json item = {{"engine", row.engine}, {"threads", row.threads}, {"batch", row.batch}};
    if (!row.error.empty()) {
      item["error"] = row.error;
      rows.push_back(item);
      continue;
    }
    item.update({{"file_bytes", row.file_bytes},
                 {"load_ms", row.load_ms},
                 {"first_inference_ms", row.first_inference_ms},
                 {"latency_ms", {{"p50", row.p50_ms}, {"p90", row.p90_ms}, {"p99", row.p99_ms}}},
                 {"latency_with_preprocess_ms",
                  {{"p50", row.p50_with_preprocess_ms}, {"p90", row.p90_with_preprocess_ms}, {"p99", row.p99_with_preprocess_ms}}},
                 {"images_per_second", row.images_per_second},
                 {"peak_rss_mb", row.peak_rss_mb < 0 ? Json(nullptr) : Json(row.peak_rss_mb)},
                 {"accuracy", row.accuracy ? Json(*row.accuracy) : Json(nullptr)},
                 {"pareto", row.pareto},
                 {"over_latency", row.over_latency},
                 {"over_ram", row.over_ram}});
    rows.push_back(item);
  }
  return {{"subject", report.subject},
          {"validation_images", report.validation_images},
          {"load_average", report.load_average},
          {"cores", report.cores},
          {"rows", rows}};
}

}  // namespace edgeloop
