#include "edgeloop/monitor/camera_frame_statistics.h"

#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

constexpr int kDarkLevel = 8;       // gray levels at or below: crushed black
constexpr int kBrightLevel = 247;   // gray levels at or above: blown white

cv::Mat to_gray(const cv::Mat& frame) {
  if (frame.depth() != CV_8U) throw invalid_argument("camera frame is not 8-bit: decode it to 8-bit first");
  cv::Mat gray;
  switch (frame.channels()) {
    case 1: gray = frame; break;
    case 3: cv::cvtColor(frame, gray, cv::COLOR_BGR2GRAY); break;
    case 4: cv::cvtColor(frame, gray, cv::COLOR_BGRA2GRAY); break;
    default: throw invalid_argument("camera frame has " + std::to_string(frame.channels()) + " channels: give 1, 3 or 4");
  }
  if (gray.cols > kHealthAnalysisWidth) {
    const int height = std::max(1, gray.rows * kHealthAnalysisWidth / gray.cols);
    cv::Mat scaled;
    cv::resize(gray, scaled, cv::Size(kHealthAnalysisWidth, height), 0, 0, cv::INTER_AREA);
    return scaled;
  }
  return gray.clone();
}

// J. Immerkaer, "Fast noise variance estimation", 1996: sigma = sqrt(pi/2) / (6 (W-2)(H-2)) * sum |I * N|.
double immerkaer_noise_sigma(const cv::Mat& gray) {
  if (gray.rows < 3 || gray.cols < 3) return 0.0;
  const cv::Mat kernel = (cv::Mat_<float>(3, 3) << 1, -2, 1, -2, 4, -2, 1, -2, 1);
  cv::Mat response;
  cv::filter2D(gray, response, CV_32F, kernel, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
  const cv::Mat inner = response(cv::Rect(1, 1, gray.cols - 2, gray.rows - 2));
  const double absolute_sum = cv::norm(inner, cv::NORM_L1);
  return std::sqrt(std::numbers::pi / 2.0) * absolute_sum / (6.0 * (gray.cols - 2) * (gray.rows - 2));
}

}  // namespace

CameraFrameStatistics measure_camera_frame(const cv::Mat& frame, cv::Mat& analysis_gray) {
  if (frame.empty()) throw invalid_argument("camera frame is empty: the source gave no pixels");
  cv::Mat gray = to_gray(frame);
  CameraFrameStatistics statistics;
  const double pixels = static_cast<double>(gray.total());
  statistics.mean_brightness = cv::mean(gray)[0];
  statistics.dark_fraction = cv::countNonZero(gray <= kDarkLevel) / pixels;
  statistics.bright_fraction = cv::countNonZero(gray >= kBrightLevel) / pixels;
  cv::Mat laplacian;
  cv::Laplacian(gray, laplacian, CV_32F);
  cv::Scalar laplacian_mean, laplacian_deviation;
  cv::meanStdDev(laplacian, laplacian_mean, laplacian_deviation);
  statistics.sharpness = laplacian_deviation[0] * laplacian_deviation[0];
  statistics.noise_sigma = immerkaer_noise_sigma(gray);
  if (!analysis_gray.empty() && analysis_gray.size() == gray.size()) {
    cv::Mat difference;
    cv::absdiff(gray, analysis_gray, difference);
    statistics.change = cv::mean(difference)[0];
  }
  analysis_gray = gray;
  return statistics;
}

}  // namespace edgeloop
