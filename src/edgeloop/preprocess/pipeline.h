// Pipeline: the preprocessing spec, a serialisable list of OpenCV ops that turns a decoded image
// into the model input. The very same code runs in training (train/ loader), in export's parity
// check and on the device (edge/), so what the model saw in training is what it sees in the field.
// Augmentation is not here: it exists only in training. Immutable after construction; apply() is
// thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "edgeloop/core/config.h"

namespace edgeloop {

// One op with its parameters, e.g. {"op": "resize", "width": 28, "height": 28, "mode": "letterbox"}.
struct PreprocessOp {
  std::string name;
  Json parameters;
};

// The model input this pipeline produces.
struct InputShape {
  int channels = 1;   // 1 (gray) or 3 (RGB)
  int height = 28;
  int width = 28;
};

class Pipeline {
 public:
  // From the JSON/YAML form: {"ops": [{"op": "...", ...}, ...]}. Throws Error(kInvalidArgument)
  // naming the op and the fix on an unknown op or a bad parameter.
  static Pipeline from_json(const Json& spec);
  static Pipeline from_file(const std::filesystem::path& yaml_or_json);
  // The default for a dataset whose images are `shape` (gray 28×28 for Fashion-MNIST): decode to
  // the channel count, resize to the shape, scale to 0..1.
  static Pipeline default_for(const InputShape& shape);

  Json to_json() const;
  std::string hash() const;               // sha256 of the canonical JSON
  InputShape output_shape() const;

  // Decoded image (any size, 8-bit gray/BGR/BGRA as cv::imdecode gives) → model input:
  // CV_32FC(channels), height × width, HWC, channel order RGB for colour.
  cv::Mat apply(const cv::Mat& decoded) const;
  // The 8-bit image just before the float conversion (resized, colour-converted), HWC. The
  // training cache stores this form; finish_uint8() then applies the remaining float ops, so
  // apply(x) == finish_uint8(apply_uint8(x)).
  cv::Mat apply_uint8(const cv::Mat& decoded) const;
  cv::Mat finish_uint8(const cv::Mat& prepared_uint8) const;

  const std::vector<PreprocessOp>& ops() const { return ops_; }

 private:
  std::vector<PreprocessOp> ops_;
};

}  // namespace edgeloop
