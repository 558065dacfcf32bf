// Per-image statistics that describe how a picture looks, not what it shows. Used by data stats
// (per class), by export for the bundle's drift reference, and by the device's drift monitor, so
// all three measure the same way. Pure functions; thread-safe.
#pragma once

#include <opencv2/core.hpp>

namespace edgeloop {

struct ImageFeatures {
  double brightness = 0;     // mean gray level, 0..255
  double contrast = 0;       // standard deviation of the gray level, 0..~128
  double sharpness = 0;      // variance of the 3×3 Laplacian of the gray image, (gray levels)²; low = blurry
  double saturation = 0;     // mean HSV saturation, 0..255; 0 for gray images
  double edge_density = 0;   // fraction of pixels on a Canny edge (thresholds 50/150), 0..1
  double entropy = 0;        // Shannon entropy of the 256-bin gray histogram, bits, 0..8
};

// `image`: 8-bit gray, BGR or BGRA as cv::imdecode / a camera gives it (colour order BGR). Any
// other depth is scaled to 8 bits first. Throws Error(kInvalidArgument) on an empty image.
ImageFeatures compute_image_features(const cv::Mat& image);

}  // namespace edgeloop
