// CameraFrameStatistics: the cheap per-frame numbers camera health looks at (exposure, clipped
// pixels, sharpness, noise, change since the previous frame), measured on a gray copy scaled
// down to at most kHealthAnalysisWidth pixels wide so the cost does not grow with the camera's
// resolution. Called by edge/ (the monitor stage). Pure function, thread-safe.
#pragma once

#include <opencv2/core.hpp>

namespace edgeloop {

constexpr int kHealthAnalysisWidth = 320;   // pixels; wider frames are scaled down first

struct CameraFrameStatistics {
  double mean_brightness = 0.0;    // 0..255, gray mean
  double dark_fraction = 0.0;      // share of pixels <= kDarkLevel, 0..1
  double bright_fraction = 0.0;    // share of pixels >= kBrightLevel, 0..1
  double sharpness = 0.0;          // variance of the 4-neighbour Laplacian over interior pixels, gray levels^2
  double noise_sigma = 0.0;        // Immerkaer's estimate of the noise standard deviation, gray levels
  double change = -1.0;            // mean |gray - previous gray|, gray levels; -1 for the first frame
};

// `frame`: 8-bit gray, BGR or BGRA. `analysis_gray` (in/out): the previous frame's analysis copy
// on input (empty for the first frame), this frame's on output.
CameraFrameStatistics measure_camera_frame(const cv::Mat& frame, cv::Mat& analysis_gray);

}  // namespace edgeloop
