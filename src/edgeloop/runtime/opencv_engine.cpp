#include "edgeloop/runtime/opencv_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/onnx_model.h"
#include "edgeloop/runtime/output_layout.h"

namespace edgeloop {
namespace {
constexpr double kInt8Steps = 255.0;
constexpr double kInt8Lowest = -128.0;
}  // namespace

struct OpenCvEngine::State {
  cv::dnn::Net net;
  int channels = 1, height = 1, width = 1;   // model input, from the ONNX file
  std::vector<cv::String> outputs;           // probabilities, then embedding when present
  std::filesystem::path file;
  // opencv-int8: a quantized net returns named outputs as int8; these undo that per output.
  std::vector<float> output_scales;
  std::vector<int> output_zero_points;

  // OpenCV's quantizer gives a tensor the range of its fp32 values on the calibration data
  // (widened to include 0) over 255 steps; measured here the same way on the same images.
  void measure_output_quantization(const cv::Mat& calibration) {
    std::vector<cv::Mat> results;
    net.setInput(calibration);
    net.forward(results, outputs);
    for (const cv::Mat& result : results) {
      double low = 0.0, high = 0.0;
      cv::minMaxLoc(result.reshape(1, 1), &low, &high);
      low = std::min(low, 0.0);
      high = std::max(high, 0.0);
      float scale = float((high - low) / kInt8Steps);
      output_scales.push_back(scale);
      output_zero_points.push_back(int(std::lround(kInt8Lowest - low / scale)));
    }
  }

  std::vector<float> dequantized(const cv::Mat& result, size_t output) const {
    if (result.depth() == CV_32F) return std::vector<float>(result.ptr<float>(), result.ptr<float>() + result.total());
    std::vector<float> values(result.total());
    const int8_t* data = result.ptr<int8_t>();
    for (size_t index = 0; index < values.size(); ++index) {
      values[index] = float(int(data[index]) - output_zero_points.at(output)) * output_scales.at(output);
    }
    return values;
  }

  // [batch, H, W, C] → the [batch, C, H, W] blob OpenCV takes.
  cv::Mat blob(const float* input, int batch) const {
    int dims[4] = {batch, channels, height, width};
    cv::Mat nchw(4, dims, CV_32F);
    float* target = nchw.ptr<float>();
    for (int image = 0; image < batch; ++image)
      for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
          for (int channel = 0; channel < channels; ++channel)
            target[((size_t(image) * channels + channel) * height + y) * width + x] =
                input[((size_t(image) * height + y) * width + x) * channels + channel];
    return nchw;
  }
};

OpenCvEngine::OpenCvEngine(const std::filesystem::path& model_file, const EngineOptions& options, bool int8)
    : state_(std::make_unique<State>()), int8_(int8) {
  auto start = std::chrono::steady_clock::now();
  OnnxModel model = OnnxModel::load(model_file);
  const auto& shape = model.input_shape();
  if (shape.size() != 4) throw unsupported(model_file.string() + ": the opencv engine takes an [N, C, H, W] input");
  state_->channels = int(shape[1]);
  state_->height = int(shape[2]);
  state_->width = int(shape[3]);
  state_->file = model_file;
  OutputLayout layout = OutputLayout::of(model);
  state_->outputs.push_back(layout.probabilities);
  if (!layout.embedding.empty()) state_->outputs.push_back(layout.embedding);
  try {
    state_->net = cv::dnn::readNetFromONNX(model_file.string());
    state_->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    state_->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    if (int8) {
      size_t image_size = size_t(state_->channels) * state_->height * state_->width;
      if (options.calibration_images.empty() || options.calibration_images.size() % image_size != 0) {
        throw invalid_argument(model_file.string() + ": opencv-int8 needs calibration images [N, " +
                               std::to_string(state_->height) + ", " + std::to_string(state_->width) + ", " +
                               std::to_string(state_->channels) + "]; give validation or training images");
      }
      int count = int(options.calibration_images.size() / image_size);
      cv::Mat calibration = state_->blob(options.calibration_images.data(), count);
      state_->measure_output_quantization(calibration);
      state_->net = state_->net.quantize(std::vector<cv::Mat>{calibration},
                                         /*inputsDtype=*/CV_32F, /*outputsDtype=*/CV_32F);
      state_->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      state_->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    }
    // First inference inside the load time: OpenCV allocates its layers on the first forward.
    std::vector<float> zeros(size_t(state_->channels) * state_->height * state_->width, 0.0f);
    infer(zeros.data(), 1);
  } catch (const cv::Exception& error) {
    throw unsupported(model_file.string() + ": OpenCV DNN cannot run this model (" + error.msg +
                      "); use the xnnpack engine");
  }
  load_milliseconds_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

OpenCvEngine::~OpenCvEngine() = default;

InferenceResult OpenCvEngine::infer(const float* input, int batch) {
  if (batch < 1) throw invalid_argument("infer: batch must be at least 1");
  std::vector<cv::Mat> results;
  try {
    state_->net.setInput(state_->blob(input, batch));
    state_->net.forward(results, state_->outputs);
  } catch (const cv::Exception& error) {
    throw internal_error(state_->file.string() + ": OpenCV DNN forward failed: " + error.msg);
  }
  InferenceResult result;
  result.batch = batch;
  result.probabilities = state_->dequantized(results[0], 0);
  result.classes = int(results[0].total() / size_t(batch));
  if (results.size() > 1) {
    result.embedding = state_->dequantized(results[1], 1);
    result.embedding_size = int(results[1].total() / size_t(batch));
  }
  return result;
}

}  // namespace edgeloop
