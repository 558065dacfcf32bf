// Test doubles for edge/: an Engine that classifies by mean brightness (two classes, "dark" and
// "bright"), and a source that generates frames — live or file-like — without any files.
#pragma once

#include <chrono>
#include <stdexcept>
#include <thread>

#include <opencv2/core.hpp>

#include "edgeloop/edge/frame_source.h"
#include "edgeloop/edge/loaded_model.h"

namespace edgeloop::testing {

constexpr int kFakeInputSide = 8;   // the fake model's input: 8×8 gray

class BrightnessEngine : public Engine {
 public:
  explicit BrightnessEngine(std::chrono::microseconds delay = {}) : delay_(delay) {}
  std::string name() const override { return "fake-brightness"; }
  InferenceResult infer(const float* input, int batch) override {
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    InferenceResult result;
    result.batch = batch;
    result.classes = 2;
    result.embedding_size = 1;
    double mean = 0;
    for (int pixel = 0; pixel < kFakeInputSide * kFakeInputSide; ++pixel) mean += input[pixel];
    mean /= kFakeInputSide * kFakeInputSide;
    result.probabilities = {static_cast<float>(1.0 - mean), static_cast<float>(mean)};
    result.embedding = {static_cast<float>(mean)};
    ++calls;
    return result;
  }
  double load_milliseconds() const override { return 0.0; }
  std::atomic<int> calls{0};

 private:
  std::chrono::microseconds delay_;
};

// A model whose engine throws on every frame: a bundle that verifies but cannot run on this stream.
class FailingEngine : public Engine {
 public:
  std::string name() const override { return "fake-failing"; }
  InferenceResult infer(const float*, int) override { throw std::runtime_error("fake engine: output shape mismatch"); }
  double load_milliseconds() const override { return 0.0; }
};

inline std::shared_ptr<LoadedModel> make_brightness_model(const std::string& model_id,
                                                          std::chrono::microseconds delay = {}) {
  auto model = std::make_shared<LoadedModel>();
  model->model_id = model_id;
  model->labels = {"dark", "bright"};
  model->preprocess = Pipeline::default_for(InputShape{1, kFakeInputSide, kFakeInputSide});
  model->engine = std::make_unique<BrightnessEngine>(delay);
  return model;
}

// Frames of 16×16 gray with level `level_of(index)`, `count` of them (or endless when < 0).
class GeneratedSource : public FrameSource {
 public:
  GeneratedSource(int64_t count, bool live, std::function<int(int64_t)> level_of)
      : count_(count), live_(live), level_of_(std::move(level_of)) {}
  ReadResult read() override {
    if (stop_requested() || (count_ >= 0 && next_ >= count_)) return {};
    ReadResult result;
    result.status = ReadStatus::kFrame;
    result.frame.index = next_;
    result.frame.image = cv::Mat(16, 16, CV_8UC1, cv::Scalar(level_of_(next_)));
    cv::Mat texture(16, 16, CV_8UC1);
    cv::randu(texture, 0, 20);
    result.frame.image += texture;
    result.frame.capture_seconds = static_cast<double>(next_) / 30.0;
    result.frame.wall_milliseconds = 1'700'000'000'000 + next_;
    ++next_;
    return result;
  }
  bool is_live() const override { return live_; }
  std::string description() const override { return "generated"; }

 private:
  int64_t count_;
  bool live_;
  std::function<int(int64_t)> level_of_;
  int64_t next_ = 0;
};

}  // namespace edgeloop::testing
