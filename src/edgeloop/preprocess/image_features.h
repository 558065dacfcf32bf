// Per-image statistics that describe how a picture looks, not what it shows. Used by data stats
// (per class), by export for the bundle's drift reference, and by the device's drift monitor, so
// all three measure the same way. One pass over the pixels with integer arithmetic and no
// allocation for 8-bit gray input (the device's per-frame case). Pure functions; thread-safe.
#pragma once

#include <opencv2/core.hpp>

namespace edgeloop {

// Sobel |gx| + |gy| at or above this counts a pixel as on a strong gradient (gradient_density).
constexpr int kStrongGradientThreshold = 150;

struct ImageFeatures {
  double brightness = 0;        // mean gray level, 0..255
  double contrast = 0;          // standard deviation of the gray level, 0..~128
  double sharpness = 0;         // variance of the 3×3 4-neighbour Laplacian (border reflect-101), (gray levels)²; low = blurry
  double saturation = 0;        // mean HSV saturation as OpenCV's 8-bit BGR2HSV computes it, 0..255; 0 for gray images
  double gradient_density = 0;  // share of pixels whose 3×3 Sobel |gx|+|gy| >= kStrongGradientThreshold, 0..1
  double entropy = 0;           // Shannon entropy of the 256-bin gray histogram, bits, 0..8
};

// `image`: 8-bit gray, BGR or BGRA as cv::imdecode / a camera gives it (colour order BGR); gray
// is OpenCV's BGR2GRAY. Any other depth is scaled to 8 bits first. Throws
// Error(kInvalidArgument) on an empty image.
ImageFeatures compute_image_features(const cv::Mat& image);

}  // namespace edgeloop
