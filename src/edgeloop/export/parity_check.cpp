#include "edgeloop/export/parity_check.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <opencv2/dnn.hpp>

#include "edgeloop/core/error.h"

namespace edgeloop {

double max_abs_difference(const std::vector<float>& expected, const std::vector<float>& actual, const std::string& engine) {
  if (expected.size() != actual.size()) {
    throw internal_error(engine + " returned " + std::to_string(actual.size()) + " probabilities, LibTorch " +
                         std::to_string(expected.size()) + ": the engine reads the model's outputs wrongly");
  }
  double largest = 0.0;
  for (size_t index = 0; index < expected.size(); ++index) {
    largest = std::max(largest, static_cast<double>(std::abs(expected[index] - actual[index])));
    if (std::isnan(actual[index])) return INFINITY;
  }
  return largest;
}

std::vector<float> nhwc_to_nchw(const std::vector<float>& nhwc, int batch, int channels, int height, int width) {
  std::vector<float> nchw(nhwc.size());
  const size_t plane = static_cast<size_t>(height) * width;
  for (int image = 0; image < batch; ++image) {
    for (size_t pixel = 0; pixel < plane; ++pixel) {
      for (int channel = 0; channel < channels; ++channel) {
        nchw[(static_cast<size_t>(image) * channels + channel) * plane + pixel] =
            nhwc[(static_cast<size_t>(image) * plane + pixel) * channels + channel];
      }
    }
  }
  return nchw;
}

std::vector<float> opencv_dnn_probabilities(const std::filesystem::path& model_file, const std::vector<float>& nhwc,
                                            int batch, int channels, int height, int width) {
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(model_file.string());
    std::vector<float> nchw = nhwc_to_nchw(nhwc, batch, channels, height, width);
    const int shape[] = {batch, channels, height, width};
    net.setInput(cv::Mat(4, shape, CV_32F, nchw.data()));
    cv::Mat probabilities = net.forward("probabilities");
    return std::vector<float>(probabilities.ptr<float>(), probabilities.ptr<float>() + probabilities.total());
  } catch (const cv::Exception& failure) {
    throw unsupported(model_file.string() + ": OpenCV DNN cannot run it: " + failure.what());
  }
}

std::vector<int> row_argmax(const std::vector<float>& values, int columns) {
  std::vector<int> result;
  for (size_t row = 0; row + columns <= values.size(); row += columns) {
    result.push_back(static_cast<int>(std::max_element(values.begin() + row, values.begin() + row + columns) -
                                      (values.begin() + row)));
  }
  return result;
}

}  // namespace edgeloop
