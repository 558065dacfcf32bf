// edge_bench: the device module's figures, each printed beside its target.
//   throughput  end-to-end fps on an image folder vs the same engine's raw batch-1 throughput (≥ 90%),
//               and the monitoring stage's share of frame time (≤ 10%)
//   drift       false alarms per 10,000 clean Fashion-MNIST frames (≤ 1) and detection delay after a
//               brightness / noise shift (≤ 300 frames), with the accuracy each shift costs
//   soak        RSS growth over a long run (< 2%)
// Usage: edge_bench MODE --bundle DIR [--fashion DIR] [--frames N]. Fashion-MNIST comes from the
// IDX files (default /usr/share/datasets/fashion-mnist); t10k is the stream.
#include <fstream>
#include <iostream>
#include <numeric>

#include <CLI/CLI.hpp>
#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/core/threads.h"
#include "edgeloop/data/idx_file.h"
#include "edgeloop/core/image_probe.h"
#include "edgeloop/edge/bundle_model_loader.h"
#include "edgeloop/edge/edge_pipeline.h"
#include "edgeloop/edge/frame_corruption.h"
#include "edgeloop/monitor/camera_frame_statistics.h"
#include "edgeloop/preprocess/image_features.h"

namespace edgeloop {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr double kThroughputTarget = 0.90;       // pipeline fps / raw engine throughput
constexpr double kMonitoringShareTarget = 0.10;  // monitor stage / frame time
constexpr double kFalseAlarmTarget = 1.0;        // per 10,000 clean frames
constexpr int kDetectionDelayTarget = 300;       // frames after onset
constexpr double kRssGrowthTarget = 0.02;
constexpr int kShiftOnset = 1000;                // clean frames before a shift starts

struct LabelledImages {
  std::vector<cv::Mat> images;   // 8-bit gray
  std::vector<int> labels;
};

LabelledImages read_fashion(const std::filesystem::path& folder, const std::string& split) {
  IdxImages idx = read_idx_images(folder / (split + "-images-idx3-ubyte.gz"), kDefaultMaxMegapixels);
  std::vector<uint8_t> labels = read_idx_labels(folder / (split + "-labels-idx1-ubyte.gz"));
  LabelledImages result;
  const size_t image_bytes = static_cast<size_t>(idx.rows) * idx.columns;
  for (int64_t index = 0; index < idx.count; ++index) {
    result.images.push_back(cv::Mat(idx.rows, idx.columns, CV_8UC1, idx.pixels.data() + index * image_bytes).clone());
    result.labels.push_back(labels[index]);
  }
  return result;
}

// The stream: in-memory frames (repeated up to `frames`), a corruption from its onset. File-like:
// backpressure, nothing dropped.
class MemorySource : public FrameSource {
 public:
  MemorySource(const std::vector<cv::Mat>& images, int64_t frames, FrameCorruption corruption)
      : images_(images), frames_(frames), corruption_(corruption) {}
  ReadResult read() override {
    if (stop_requested() || next_ >= frames_) return {};
    ReadResult result;
    result.status = ReadStatus::kFrame;
    result.frame.index = next_;
    result.frame.image = apply_frame_corruption(images_[next_ % images_.size()], corruption_, next_);
    result.frame.capture_seconds = std::chrono::duration<double>(SteadyClock::now().time_since_epoch()).count();
    ++next_;
    return result;
  }
  bool is_live() const override { return false; }
  std::string description() const override { return "memory"; }

 private:
  const std::vector<cv::Mat>& images_;
  int64_t frames_;
  FrameCorruption corruption_;
  int64_t next_ = 0;
};

// Keeps what the figures need from each prediction and drift event.
class FigureSink : public EventSink {
 public:
  void publish(EdgeTopic topic, const Json& payload) override {
    std::lock_guard lock(mutex_);
    if (topic == EdgeTopic::kPredictions) {
      classes.push_back(payload["class"].get<int>());
      monitor_ms += payload["latency_ms"]["monitor"].get<double>();
      infer_ms += payload["latency_ms"]["infer"].get<double>();
      preprocess_ms += payload["latency_ms"]["preprocess"].get<double>();
    } else if (topic == EdgeTopic::kDrift && payload["drift"].get<bool>()) {
      raised_at.push_back(payload["frame"].get<int64_t>());
      moved.push_back(payload["moved"]);
    }
  }
  std::mutex mutex_;
  std::vector<int> classes;
  std::vector<int64_t> raised_at;
  std::vector<Json> moved;
  double monitor_ms = 0, infer_ms = 0, preprocess_ms = 0;
};

struct RunResult {
  PipelineSummary summary;
  std::shared_ptr<FigureSink> sink;
};

RunResult run_pipeline(FrameSource& source, ModelSlot& slot, bool monitoring) {
  EdgeMetrics metrics;
  PipelineOptions options;
  options.drift_enabled = monitoring;
  options.health_enabled = monitoring;
  EdgePipeline pipeline(source, slot, metrics, options);
  auto sink = std::make_shared<FigureSink>();
  pipeline.add_sink(sink.get());
  RunResult result{pipeline.run(), sink};
  return result;
}

double raw_engine_throughput(LoadedModel& model, const std::vector<cv::Mat>& images, int frames) {
  std::vector<cv::Mat> inputs;
  for (size_t index = 0; index < std::min<size_t>(images.size(), 1000); ++index) inputs.push_back(model.preprocess.apply(images[index]));
  for (int warm = 0; warm < 100; ++warm) model.engine->infer(inputs[warm % inputs.size()].ptr<float>(), 1);
  const auto start = SteadyClock::now();
  for (int frame = 0; frame < frames; ++frame) model.engine->infer(inputs[frame % inputs.size()].ptr<float>(), 1);
  return frames / std::chrono::duration<double>(SteadyClock::now() - start).count();
}

double rss_megabytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0.0;
}

// Microseconds per frame of each monitoring part, measured alone on the same frames.
void monitoring_breakdown(LoadedModel& model, const std::vector<cv::Mat>& images, int frames) {
  auto time_per_frame = [&](const std::function<void(const cv::Mat&, int)>& body) {
    const auto start = SteadyClock::now();
    for (int frame = 0; frame < frames; ++frame) body(images[frame % images.size()], frame);
    return 1e6 * std::chrono::duration<double>(SteadyClock::now() - start).count() / frames;
  };
  std::vector<cv::Mat> model_uint8;
  for (int frame = 0; frame < frames; ++frame) model_uint8.push_back(model.preprocess.apply_uint8(images[frame % images.size()]));
  const double features = time_per_frame([&](const cv::Mat&, int frame) { compute_image_features(model_uint8[frame]); });
  cv::Mat previous;
  const double camera = time_per_frame([&](const cv::Mat& image, int) { measure_camera_frame(image, previous); });
  DriftDetector detector(model.drift_references());
  const ImageFeatures sample = compute_image_features(model_uint8[0]);
  const std::vector<float> embedding(model.reference.embedding_projections.empty() ? 0 : model.reference.embedding_projections[0].size(), 0.5f);
  // The pipeline's per-frame path: values by position into a reused vector, then the detector.
  std::vector<double> frame_values;
  const double values = time_per_frame([&](const cv::Mat&, int) { model.reference.frame_values_into(sample, 0.9, embedding, frame_values); });
  detector.set_value_order(model.reference.frame_value_names());
  const double drift = time_per_frame([&](const cv::Mat&, int frame) { detector.observe_values(frame, frame_values); });
  std::cout << "  monitoring parts per frame: image features " << features << " us, camera statistics " << camera
            << " us, drift values " << values << " us, drift detector " << drift << " us\n";
}

void throughput(const std::filesystem::path& bundle, const LabelledImages& test, int frames, const std::string& engine) {
  // The folder source decodes PNGs, as on a device reading files.
  const std::filesystem::path folder = std::filesystem::temp_directory_path() / "edge_bench_images";
  std::filesystem::create_directories(folder);
  const int folder_images = std::min<int>(frames, static_cast<int>(test.images.size()));
  for (int index = 0; index < folder_images; ++index) {
    char name[32];
    std::snprintf(name, sizeof(name), "%05d.png", index);
    if (!std::filesystem::exists(folder / name)) cv::imwrite((folder / name).string(), test.images[index]);
  }
  auto model = load_model_from_bundle(bundle, {engine, true, 1});
  ModelSlot slot(model);
  // Best of three: the raw figure is the engine at its fastest, so the ratio is not flattered.
  double raw = 0.0;
  for (int repeat = 0; repeat < 3; ++repeat) raw = std::max(raw, raw_engine_throughput(*model, test.images, frames));
  SourceOptions looping;
  looping.loop = false;
  auto source = open_frame_source(folder.string(), looping);
  RunResult with_monitoring = run_pipeline(*source, slot, true);
  auto plain_source = open_frame_source(folder.string(), looping);
  RunResult without_monitoring = run_pipeline(*plain_source, slot, false);
  const double fps = with_monitoring.summary.fps;
  const double frame_ms = 1000.0 / fps;
  const double monitor_ms = with_monitoring.sink->monitor_ms / with_monitoring.summary.frames;
  const double compute_ms = (with_monitoring.sink->preprocess_ms + with_monitoring.sink->infer_ms +
                             with_monitoring.sink->monitor_ms) / with_monitoring.summary.frames;
  std::cout << "engine " << model->engine->name() << ", model " << model->model_id << ", " << folder_images
            << " PNG frames, 1 inference thread\n"
            << "  raw engine batch-1 throughput      " << raw << " img/s\n"
            << "  pipeline fps (monitoring on)       " << fps << " fps = " << 100.0 * fps / raw << "% of raw (target >= "
            << 100 * kThroughputTarget << "%)\n"
            << "  pipeline fps (monitoring off)      " << without_monitoring.summary.fps << " fps\n"
            << "  per frame: preprocess " << with_monitoring.sink->preprocess_ms / with_monitoring.summary.frames
            << " ms, infer " << with_monitoring.sink->infer_ms / with_monitoring.summary.frames << " ms, monitor "
            << monitor_ms << " ms\n"
            << "  monitoring share of frame time     " << 100.0 * monitor_ms / frame_ms << "% of the frame period, "
            << 100.0 * monitor_ms / compute_ms << "% of per-frame compute (preprocess + infer + monitor) (target <= "
            << 100 * kMonitoringShareTarget << "%)\n";
  monitoring_breakdown(*model, test.images, std::min(frames, 5000));
}

double accuracy(const std::vector<int>& predicted, const std::vector<int>& labels, int64_t from, int64_t to) {
  int correct = 0;
  for (int64_t frame = from; frame < to; ++frame) correct += predicted[frame] == labels[frame % labels.size()];
  return static_cast<double>(correct) / std::max<int64_t>(1, to - from);
}

void drift(const std::filesystem::path& bundle, const LabelledImages& test, int frames, const std::string& engine) {
  ModelSlot slot(load_model_from_bundle(bundle, {engine, true, 1}));
  MemorySource clean(test.images, frames, {});
  RunResult clean_run = run_pipeline(clean, slot, true);
  const double alarms_per_10k = clean_run.sink->raised_at.size() * 10000.0 / frames;
  std::cout << "clean stream: " << frames << " t10k frames, drift raised " << clean_run.sink->raised_at.size()
            << " times = " << alarms_per_10k << " per 10,000 frames (target <= " << kFalseAlarmTarget << ")\n";
  const double clean_accuracy = accuracy(clean_run.sink->classes, test.labels, 0, frames);
  std::cout << "clean accuracy " << 100 * clean_accuracy << "%\n";
  for (const std::string& shift : {"brightness:1.6", "brightness:0.5", "brightness:0.35", "noise:20", "noise:40", "contrast:0.4", "blur:1.5"}) {
    FrameCorruption corruption = parse_frame_corruption(shift + "@" + std::to_string(kShiftOnset));
    const int64_t shifted_frames = kShiftOnset + 2000;
    MemorySource source(test.images, shifted_frames, corruption);
    RunResult run = run_pipeline(source, slot, true);
    const double before = accuracy(run.sink->classes, test.labels, 0, kShiftOnset);
    const double after = accuracy(run.sink->classes, test.labels, kShiftOnset, shifted_frames);
    // The same frames clean, so the accuracy cost is measured on identical images.
    const double same_clean = accuracy(clean_run.sink->classes, test.labels, kShiftOnset, shifted_frames);
    std::string detection = "not detected";
    for (size_t event = 0; event < run.sink->raised_at.size(); ++event) {
      if (run.sink->raised_at[event] >= kShiftOnset) {
        detection = "detected after " + std::to_string(run.sink->raised_at[event] - kShiftOnset) + " frames (target <= " +
                    std::to_string(kDetectionDelayTarget) + "), moved " + run.sink->moved[event].dump();
        break;
      }
    }
    const int64_t early = std::count_if(run.sink->raised_at.begin(), run.sink->raised_at.end(),
                                        [](int64_t frame) { return frame < kShiftOnset; });
    std::cout << shift << " from frame " << kShiftOnset << ": accuracy " << 100 * before << "% -> " << 100 * after
              << "% (same frames clean " << 100 * same_clean << "%, cost " << 100 * (same_clean - after)
              << " points); " << detection << "; alarms before onset " << early << "\n";
  }
}

void soak(const std::filesystem::path& bundle, const LabelledImages& test, int frames, const std::string& engine) {
  ModelSlot slot(load_model_from_bundle(bundle, {engine, true, 1}));
  // Warm-up run so allocator pools and the detector window are at their working size.
  MemorySource warm(test.images, std::min(frames / 10, 5000), {});
  run_pipeline(warm, slot, true);
  const double start_rss = rss_megabytes();
  MemorySource source(test.images, frames, {});
  const auto start = SteadyClock::now();
  RunResult run = run_pipeline(source, slot, true);
  const double end_rss = rss_megabytes();
  std::cout << "soak: " << run.summary.frames << " frames in " << std::chrono::duration<double>(SteadyClock::now() - start).count()
            << " s; RSS " << start_rss << " MB -> " << end_rss << " MB, growth " << 100 * (end_rss - start_rss) / start_rss
            << "% (target < " << 100 * kRssGrowthTarget << "%)\n";
}

}  // namespace
}  // namespace edgeloop

int main(int argc, char** argv) {
  CLI::App app{"edge_bench: device-module figures beside their targets"};
  std::string mode, bundle, engine = "auto";
  std::string fashion = "/usr/share/datasets/fashion-mnist";
  int frames = 10000;
  app.add_option("mode", mode, "throughput, drift or soak")->required();
  app.add_option("--bundle", bundle, "Bundle directory")->required();
  app.add_option("--fashion", fashion, "Folder with the Fashion-MNIST IDX files");
  app.add_option("--frames", frames, "Frames per run");
  app.add_option("--engine", engine, "Engine (default auto: the device's choice; xnnpack runs model.int8.onnx when present)");
  CLI11_PARSE(app, argc, argv);
  try {
    edgeloop::set_compute_threads(1);   // as edgeloop-edge does with its default --threads 1
    edgeloop::LabelledImages test = edgeloop::read_fashion(fashion, "t10k");
    if (mode == "throughput") edgeloop::throughput(bundle, test, frames, engine);
    else if (mode == "drift") edgeloop::drift(bundle, test, frames, engine);
    else if (mode == "soak") edgeloop::soak(bundle, test, frames, engine);
    else throw edgeloop::invalid_argument("unknown mode " + mode + ": use throughput, drift or soak");
  } catch (const edgeloop::Error& error) {
    std::cerr << "edge_bench: " << error.what() << "\n";
    return error.exit_status();
  }
  return 0;
}
