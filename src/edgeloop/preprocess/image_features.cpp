#include "edgeloop/preprocess/image_features.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr double kCannyLowThreshold = 50;
constexpr double kCannyHighThreshold = 150;
constexpr int kGrayLevels = 256;
constexpr double kSixteenToEightBit = 1.0 / 257.0;

cv::Mat eight_bit(const cv::Mat& image) {
  if (image.depth() == CV_8U) return image;
  cv::Mat converted;
  image.convertTo(converted, CV_8U, image.depth() == CV_16U ? kSixteenToEightBit : 255.0);
  return converted;
}

double histogram_entropy(const cv::Mat& gray) {
  int counts[kGrayLevels] = {};
  for (int row = 0; row < gray.rows; ++row) {
    const uint8_t* pixels = gray.ptr<uint8_t>(row);
    for (int column = 0; column < gray.cols; ++column) ++counts[pixels[column]];
  }
  const double total = static_cast<double>(gray.total());
  double entropy = 0;
  for (int count : counts) {
    if (count == 0) continue;
    const double probability = count / total;
    entropy -= probability * std::log2(probability);
  }
  return entropy;
}

}  // namespace

ImageFeatures compute_image_features(const cv::Mat& input) {
  if (input.empty()) throw invalid_argument("image features: the image is empty");
  const cv::Mat image = eight_bit(input);
  cv::Mat gray;
  cv::Mat bgr;
  switch (image.channels()) {
    case 1: gray = image; break;
    case 3: bgr = image; cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY); break;
    case 4: cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR); cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY); break;
    default: throw invalid_argument("image features: " + std::to_string(image.channels()) + "-channel images are not supported");
  }
  ImageFeatures features;
  cv::Scalar mean, deviation;
  cv::meanStdDev(gray, mean, deviation);
  features.brightness = mean[0];
  features.contrast = deviation[0];

  cv::Mat laplacian;
  cv::Laplacian(gray, laplacian, CV_64F);
  cv::meanStdDev(laplacian, mean, deviation);
  features.sharpness = deviation[0] * deviation[0];

  if (!bgr.empty()) {
    cv::Mat hsv;
    cv::cvtColor(bgr, hsv, cv::COLOR_BGR2HSV);
    features.saturation = cv::mean(hsv)[1];
  }

  cv::Mat edges;
  cv::Canny(gray, edges, kCannyLowThreshold, kCannyHighThreshold);
  features.edge_density = static_cast<double>(cv::countNonZero(edges)) / static_cast<double>(gray.total());
  features.entropy = histogram_entropy(gray);
  return features;
}

}  // namespace edgeloop
