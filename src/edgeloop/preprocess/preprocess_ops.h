// The preprocessing ops a Pipeline is made of: each op's name, how its parameters are checked and
// defaulted, and how it transforms an image. Pipeline (pipeline.h) is the only caller. Stateless
// and thread-safe.
//
// Ops and their parameters (defaults in brackets):
//   decode              color: gray | rgb [gray]          any decoded 8-bit image → 1 or 3 channels (RGB order)
//   resize              width, height (pixels, required, 1..kMaxResizeSide); mode: stretch | letterbox | center_crop [stretch];
//                       interpolation: area | linear | nearest | cubic [area]; pad: 0..255 [0] (letterbox fill)
//   brightness_contrast alpha (gain) [1.0], beta (offset, 8-bit levels) [0]: out = alpha·in + beta, saturated
//   equalize_histogram  clip_limit [0] (0: plain equalization; > 0: CLAHE with that clip); colour images
//                       are equalized on the luma channel only
//   denoise             method: gaussian | median | bilateral [median]; kernel: odd pixels [3]
//   color_space         to: gray | rgb | bgr | hsv | lab | ycrcb (from the current RGB or gray image)
//   to_float            scale [1/255]: 8-bit → float32, out = in·scale
//   normalize           mean, std: one number or one per channel (in the to_float scale) [0], [1]
// Ops before to_float work on 8-bit images ("uint8 stage"); to_float and normalize on float32.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "edgeloop/core/config.h"

namespace edgeloop {

// The largest side a `resize` may ask for, in pixels: model inputs are far smaller, and a spec
// asking for 60000×60000 would have OpenCV allocate gigabytes (and abort) on the first frame.
constexpr int kMaxResizeSide = 4096;

// What a pipeline knows about the image between ops, used to check ops against each other.
struct PreprocessState {
  int channels = 0;            // 0 until decode; then 1 or 3
  std::string color = "";      // gray, rgb, bgr, hsv, lab, ycrcb
  bool is_float = false;       // after to_float
  int width = 0;               // 0 until resize
  int height = 0;
};

// Checks one op against the state before it, fills in every default in `parameters` (so the
// canonical JSON, and hence the hash, names every value), and advances `state`. Throws
// Error(kInvalidArgument) naming the op, its position and the fix.
void check_preprocess_op(const std::string& name, Json& parameters, PreprocessState& state, int position);

// Applies one checked op. `image` is 8-bit before to_float and CV_32F after.
cv::Mat apply_preprocess_op(const std::string& name, const Json& parameters, const cv::Mat& image);

// True for the ops that run on float images (to_float, normalize).
bool is_float_stage_op(const std::string& name);

// Every op name, for error messages.
const std::vector<std::string>& preprocess_op_names();

}  // namespace edgeloop
