#include "edgeloop/monitor/camera_frame_statistics.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

constexpr int kDarkLevel = 8;       // gray levels at or below: crushed black
constexpr int kBrightLevel = 247;   // gray levels at or above: blown white

// The frame itself when it is gray and small enough, else a converted copy in this thread's
// scratch images (reused, so a stream does not allocate per frame).
const cv::Mat& to_gray(const cv::Mat& frame) {
  if (frame.depth() != CV_8U) throw invalid_argument("camera frame is not 8-bit: decode it to 8-bit first");
  thread_local cv::Mat converted, scaled;
  const cv::Mat* gray = &frame;
  switch (frame.channels()) {
    case 1: break;
    case 3: cv::cvtColor(frame, converted, cv::COLOR_BGR2GRAY); gray = &converted; break;
    case 4: cv::cvtColor(frame, converted, cv::COLOR_BGRA2GRAY); gray = &converted; break;
    default: throw invalid_argument("camera frame has " + std::to_string(frame.channels()) + " channels: give 1, 3 or 4");
  }
  if (gray->cols > kHealthAnalysisWidth) {
    const int height = std::max(1, gray->rows * kHealthAnalysisWidth / gray->cols);
    cv::resize(*gray, scaled, cv::Size(kHealthAnalysisWidth, height), 0, 0, cv::INTER_AREA);
    return scaled;
  }
  return *gray;
}

// Interior pixel (row, column) of `gray`: its 4-neighbour Laplacian (OpenCV's ksize 1) and
// Immerkaer's noise operator [1 -2 1; -2 4 -2; 1 -2 1].
struct LocalResponses {
  int laplacian;
  int noise;
};

inline LocalResponses local_responses(const uint8_t* above, const uint8_t* here, const uint8_t* below, int column) {
  const int center = here[column];
  const int cross = above[column] + below[column] + here[column - 1] + here[column + 1];
  const int corners = above[column - 1] + above[column + 1] + below[column - 1] + below[column + 1];
  return {cross - 4 * center, corners - 2 * cross + 4 * center};
}

}  // namespace

CameraFrameStatistics measure_camera_frame(const cv::Mat& frame, cv::Mat& analysis_gray) {
  if (frame.empty()) throw invalid_argument("camera frame is empty: the source gave no pixels");
  const cv::Mat& gray = to_gray(frame);
  const bool has_previous = !analysis_gray.empty() && analysis_gray.size() == gray.size();
  // One pass over the pixels: exposure, clipping and change; a second over the interior:
  // sharpness (Laplacian variance) and noise (J. Immerkaer, "Fast noise variance estimation", 1996:
  // sigma = sqrt(pi/2) / (6 (W-2)(H-2)) * sum |I * N|).
  int64_t sum = 0, dark = 0, bright = 0, change = 0;
  for (int row = 0; row < gray.rows; ++row) {
    const uint8_t* pixels = gray.ptr<uint8_t>(row);
    const uint8_t* previous = has_previous ? analysis_gray.ptr<uint8_t>(row) : nullptr;
    for (int column = 0; column < gray.cols; ++column) {
      const int value = pixels[column];
      sum += value;
      dark += value <= kDarkLevel;
      bright += value >= kBrightLevel;
      if (previous) change += std::abs(value - previous[column]);
    }
  }
  int64_t laplacian_sum = 0, laplacian_squares = 0, noise_sum = 0;   // integers: exact, and cheaper than doubles
  for (int row = 1; row + 1 < gray.rows; ++row) {
    const uint8_t* above = gray.ptr<uint8_t>(row - 1);
    const uint8_t* here = gray.ptr<uint8_t>(row);
    const uint8_t* below = gray.ptr<uint8_t>(row + 1);
    for (int column = 1; column + 1 < gray.cols; ++column) {
      const LocalResponses responses = local_responses(above, here, below, column);
      laplacian_sum += responses.laplacian;
      laplacian_squares += responses.laplacian * responses.laplacian;
      noise_sum += std::abs(responses.noise);
    }
  }
  CameraFrameStatistics statistics;
  const double pixels = static_cast<double>(gray.total());
  statistics.mean_brightness = sum / pixels;
  statistics.dark_fraction = dark / pixels;
  statistics.bright_fraction = bright / pixels;
  const double interior = static_cast<double>(std::max(0, gray.rows - 2)) * std::max(0, gray.cols - 2);
  if (interior > 0) {
    const double laplacian_mean = static_cast<double>(laplacian_sum) / interior;
    statistics.sharpness = std::max(0.0, static_cast<double>(laplacian_squares) / interior - laplacian_mean * laplacian_mean);
    statistics.noise_sigma = std::sqrt(std::numbers::pi / 2.0) * static_cast<double>(noise_sum) / (6.0 * interior);
  }
  if (has_previous) statistics.change = change / pixels;
  gray.copyTo(analysis_gray);   // reuses analysis_gray's pixels when the size is unchanged
  return statistics;
}

}  // namespace edgeloop
