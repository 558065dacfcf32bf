// Augmentation for training only (never in a bundle): random horizontal flip, shift (a padded
// crop), rotation, brightness/contrast and Gaussian noise on the cached 8-bit image, before the
// pipeline's float ops. Spec text: "flip,shift=2,rotate=10,brightness=0.2,contrast=0.2,noise=0.02".
// Used by the BatchLoader's threads, each with its own random generator. Pure; thread-safe.
#pragma once

#include <random>
#include <string>

#include <opencv2/core.hpp>

namespace edgeloop {

struct AugmentSpec {
  bool flip = false;        // mirror left-right with probability 1/2
  int shift = 0;            // translate by up to ± this many pixels (zero fill)
  double rotate = 0;        // rotate by up to ± this many degrees
  double brightness = 0;    // add up to ± this fraction of full scale (255)
  double contrast = 0;      // scale around the mean by 1 ± up to this fraction
  double noise = 0;         // Gaussian noise, standard deviation as a fraction of full scale

  // Throws Error(kInvalidArgument) naming the unknown item and the accepted ones.
  static AugmentSpec parse(const std::string& text);
  bool empty() const;
};

// `image`: 8-bit HWC, modified in place.
void augment_image(cv::Mat& image, const AugmentSpec& spec, std::mt19937_64& random);

}  // namespace edgeloop
