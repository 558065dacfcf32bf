// FrameCorruption: what a `sim:` source does to frames from a given frame on, to rehearse
// drift and camera faults: brightness, contrast, noise, blur, occlusion, black, frozen.
// Parsed from "KIND[:STRENGTH][@FROM_FRAME]", e.g. "brightness:1.6@500", "noise:30", "frozen@100".
// Called by the sim source and bench/edge. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace edgeloop {

enum class CorruptionKind { kNone, kBrightness, kContrast, kNoise, kBlur, kOcclusion, kBlack, kFrozen };

struct FrameCorruption {
  CorruptionKind kind = CorruptionKind::kNone;
  // brightness: gain (1.6 = 60% brighter); contrast: gain around the mean (0.4 = flatter);
  // noise: Gaussian sigma in gray levels; blur: Gaussian sigma in pixels; occlusion: share of
  // the frame covered by a black box, 0..1; black, frozen: unused. Negative = the kind's default.
  double strength = -1.0;
  int64_t from_frame = 0;   // first corrupted frame index
  unsigned seed = 1;        // noise generator seed (noise differs per frame, reproducibly)
};

// Throws Error(kInvalidArgument) naming the text and the accepted kinds.
FrameCorruption parse_frame_corruption(const std::string& text);
std::string to_string(const FrameCorruption& corruption);

// The corrupted copy of `frame` (frame `index` of the stream). Frozen is handled by the source
// (it repeats a frame); here it returns the input unchanged.
cv::Mat apply_frame_corruption(const cv::Mat& frame, const FrameCorruption& corruption, int64_t index);

}  // namespace edgeloop
