#include "edgeloop/preprocess/preprocess_ops.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr double kDefaultFloatScale = 1.0 / 255.0;
constexpr int kDefaultDenoiseKernel = 3;
constexpr int kMaxKernel = 31;
constexpr double kSixteenToEightBit = 1.0 / 257.0;   // 65535 → 255
constexpr double kBilateralSigma = 50.0;              // colour and space sigma, 8-bit levels / pixels
constexpr int kClaheTiles = 8;                        // CLAHE grid, tiles per side

Error bad_op(const std::string& name, int position, const std::string& problem) {
  return invalid_argument("preprocess op " + std::to_string(position + 1) + " (" + name + "): " + problem);
}

std::string string_parameter(Json& parameters, const std::string& key, const std::string& fallback,
                             const std::vector<std::string>& allowed, const std::string& op, int position) {
  if (!parameters.contains(key)) parameters[key] = fallback;
  if (!parameters[key].is_string()) throw bad_op(op, position, "`" + key + "` must be a string");
  const std::string value = parameters[key];
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    std::string choices;
    for (const auto& choice : allowed) choices += (choices.empty() ? "" : ", ") + choice;
    throw bad_op(op, position, "`" + key + ": " + value + "` is not one of " + choices);
  }
  return value;
}

double number_parameter(Json& parameters, const std::string& key, double fallback, const std::string& op,
                        int position) {
  if (!parameters.contains(key)) parameters[key] = fallback;
  if (!parameters[key].is_number()) throw bad_op(op, position, "`" + key + "` must be a number");
  return parameters[key].get<double>();
}

int required_pixel_count(const Json& parameters, const std::string& key, const std::string& op, int position) {
  if (!parameters.contains(key) || !parameters[key].is_number_integer() || parameters[key].get<int64_t>() <= 0 ||
      parameters[key].get<int64_t>() > kMaxResizeSide) {
    throw bad_op(op, position, "needs `" + key + "` as a whole number of pixels from 1 to " + std::to_string(kMaxResizeSide));
  }
  return parameters[key].get<int>();
}

// mean/std: one number or a list of one per channel; stored as a list of `channels` numbers.
void per_channel_parameter(Json& parameters, const std::string& key, double fallback, int channels,
                           const std::string& op, int position) {
  Json value = parameters.contains(key) ? parameters[key] : Json(fallback);
  Json list = Json::array();
  if (value.is_number()) {
    for (int channel = 0; channel < channels; ++channel) list.push_back(value.get<double>());
  } else if (value.is_array() && static_cast<int>(value.size()) == channels) {
    for (const auto& item : value) {
      if (!item.is_number()) throw bad_op(op, position, "`" + key + "` must hold numbers");
      list.push_back(item.get<double>());
    }
  } else {
    throw bad_op(op, position, "`" + key + "` must be a number or a list of " + std::to_string(channels) + " numbers");
  }
  parameters[key] = list;
}

int interpolation_flag(const std::string& name) {
  if (name == "linear") return cv::INTER_LINEAR;
  if (name == "nearest") return cv::INTER_NEAREST;
  if (name == "cubic") return cv::INTER_CUBIC;
  return cv::INTER_AREA;
}

cv::Mat to_eight_bit(const cv::Mat& image) {
  if (image.depth() == CV_8U) return image;
  cv::Mat converted;
  const double scale = image.depth() == CV_16U ? kSixteenToEightBit : (image.depth() == CV_32F ? 255.0 : 1.0);
  image.convertTo(converted, CV_8U, scale);
  return converted;
}

cv::Mat decode_op(const Json& parameters, const cv::Mat& input) {
  const cv::Mat image = to_eight_bit(input);
  const bool gray = parameters["color"] == "gray";
  cv::Mat output;
  switch (image.channels()) {
    case 1: if (gray) return image; cv::cvtColor(image, output, cv::COLOR_GRAY2RGB); return output;
    case 3: cv::cvtColor(image, output, gray ? cv::COLOR_BGR2GRAY : cv::COLOR_BGR2RGB); return output;
    case 4: cv::cvtColor(image, output, gray ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGRA2RGB); return output;
    default: throw invalid_argument("preprocess decode: images with " + std::to_string(image.channels()) +
                                    " channels are not supported: use 1, 3 or 4");
  }
}

cv::Mat resize_op(const Json& parameters, const cv::Mat& image) {
  const int width = parameters["width"], height = parameters["height"];
  const std::string mode = parameters["mode"];
  const int interpolation = interpolation_flag(parameters["interpolation"]);
  cv::Mat output;
  if (mode == "stretch" || (image.cols == width && image.rows == height)) {
    if (image.cols == width && image.rows == height) return image;
    cv::resize(image, output, cv::Size(width, height), 0, 0, interpolation);
    return output;
  }
  const double scale_x = static_cast<double>(width) / image.cols;
  const double scale_y = static_cast<double>(height) / image.rows;
  const double scale = mode == "letterbox" ? std::min(scale_x, scale_y) : std::max(scale_x, scale_y);
  const int scaled_width = std::max(1, static_cast<int>(std::lround(image.cols * scale)));
  const int scaled_height = std::max(1, static_cast<int>(std::lround(image.rows * scale)));
  cv::Mat scaled;
  cv::resize(image, scaled, cv::Size(scaled_width, scaled_height), 0, 0, interpolation);
  if (mode == "letterbox") {
    const int left = (width - std::min(width, scaled_width)) / 2;
    const int top = (height - std::min(height, scaled_height)) / 2;
    output = cv::Mat(height, width, image.type(), cv::Scalar::all(parameters["pad"].get<double>()));
    const cv::Rect source(0, 0, std::min(width, scaled_width), std::min(height, scaled_height));
    scaled(source).copyTo(output(cv::Rect(left, top, source.width, source.height)));
    return output;
  }
  const int left = std::max(0, (scaled_width - width) / 2);
  const int top = std::max(0, (scaled_height - height) / 2);
  return scaled(cv::Rect(left, top, std::min(width, scaled_width), std::min(height, scaled_height))).clone();
}

cv::Mat equalize_channel(const cv::Mat& channel, double clip_limit) {
  cv::Mat output;
  if (clip_limit > 0) {
    cv::createCLAHE(clip_limit, cv::Size(kClaheTiles, kClaheTiles))->apply(channel, output);
  } else {
    cv::equalizeHist(channel, output);
  }
  return output;
}

cv::Mat equalize_op(const Json& parameters, const cv::Mat& image) {
  const double clip_limit = parameters["clip_limit"];
  if (image.channels() == 1) return equalize_channel(image, clip_limit);
  const bool is_bgr = parameters.value("color", "rgb") == "bgr";
  cv::Mat ycrcb;
  cv::cvtColor(image, ycrcb, is_bgr ? cv::COLOR_BGR2YCrCb : cv::COLOR_RGB2YCrCb);
  std::vector<cv::Mat> planes;
  cv::split(ycrcb, planes);
  planes[0] = equalize_channel(planes[0], clip_limit);
  cv::merge(planes, ycrcb);
  cv::Mat output;
  cv::cvtColor(ycrcb, output, is_bgr ? cv::COLOR_YCrCb2BGR : cv::COLOR_YCrCb2RGB);
  return output;
}

cv::Mat denoise_op(const Json& parameters, const cv::Mat& image) {
  const std::string method = parameters["method"];
  const int kernel = parameters["kernel"];
  cv::Mat output;
  if (method == "gaussian") {
    cv::GaussianBlur(image, output, cv::Size(kernel, kernel), 0);
  } else if (method == "bilateral") {
    cv::bilateralFilter(image, output, kernel, kBilateralSigma, kBilateralSigma);
  } else {
    cv::medianBlur(image, output, kernel);
  }
  return output;
}

cv::Mat color_space_op(const Json& parameters, const cv::Mat& image) {
  const std::string target = parameters["to"];
  const std::string from = parameters["from"];
  cv::Mat rgb = image;
  if (from == "gray") {
    if (target == "gray") return image;
    cv::cvtColor(image, rgb, cv::COLOR_GRAY2RGB);
  } else if (from == "bgr") {
    cv::cvtColor(image, rgb, cv::COLOR_BGR2RGB);
  }
  cv::Mat output;
  if (target == "rgb") return rgb;
  if (target == "gray") cv::cvtColor(rgb, output, cv::COLOR_RGB2GRAY);
  if (target == "bgr") cv::cvtColor(rgb, output, cv::COLOR_RGB2BGR);
  if (target == "hsv") cv::cvtColor(rgb, output, cv::COLOR_RGB2HSV);
  if (target == "lab") cv::cvtColor(rgb, output, cv::COLOR_RGB2Lab);
  if (target == "ycrcb") cv::cvtColor(rgb, output, cv::COLOR_RGB2YCrCb);
  return output;
}

cv::Mat normalize_op(const Json& parameters, const cv::Mat& image) {
  const Json& mean = parameters["mean"];
  const Json& deviation = parameters["std"];
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  for (size_t channel = 0; channel < planes.size(); ++channel) {
    const double scale = 1.0 / deviation[channel].get<double>();
    planes[channel].convertTo(planes[channel], CV_32F, scale, -mean[channel].get<double>() * scale);
  }
  cv::Mat output;
  cv::merge(planes, output);
  return output;
}

}  // namespace

const std::vector<std::string>& preprocess_op_names() {
  static const std::vector<std::string> names = {"decode", "resize", "brightness_contrast", "equalize_histogram",
                                                 "denoise", "color_space", "to_float", "normalize"};
  return names;
}

bool is_float_stage_op(const std::string& name) { return name == "to_float" || name == "normalize"; }

void check_preprocess_op(const std::string& name, Json& parameters, PreprocessState& state, int position) {
  if (!parameters.is_object()) throw bad_op(name, position, "parameters must be a mapping");
  if (name != "decode" && state.channels == 0) throw bad_op(name, position, "the first op must be `decode`");
  if (state.is_float && !is_float_stage_op(name)) {
    throw bad_op(name, position, "8-bit ops must come before `to_float`: move it earlier");
  }
  if (name == "decode") {
    if (state.channels != 0) throw bad_op(name, position, "`decode` may appear only once, first");
    const std::string color = string_parameter(parameters, "color", "gray", {"gray", "rgb"}, name, position);
    state.channels = color == "gray" ? 1 : 3;
    state.color = color;
  } else if (name == "resize") {
    state.width = required_pixel_count(parameters, "width", name, position);
    state.height = required_pixel_count(parameters, "height", name, position);
    string_parameter(parameters, "mode", "stretch", {"stretch", "letterbox", "center_crop"}, name, position);
    string_parameter(parameters, "interpolation", "area", {"area", "linear", "nearest", "cubic"}, name, position);
    const double pad = number_parameter(parameters, "pad", 0, name, position);
    if (pad < 0 || pad > 255) throw bad_op(name, position, "`pad` must be within 0..255");
  } else if (name == "brightness_contrast") {
    number_parameter(parameters, "alpha", 1.0, name, position);
    number_parameter(parameters, "beta", 0.0, name, position);
  } else if (name == "equalize_histogram") {
    if (state.color != "gray" && state.color != "rgb" && state.color != "bgr") {
      throw bad_op(name, position, "equalizes gray, rgb or bgr images: put it before `color_space`");
    }
    number_parameter(parameters, "clip_limit", 0.0, name, position);
    parameters["color"] = state.color;
  } else if (name == "denoise") {
    string_parameter(parameters, "method", "median", {"gaussian", "median", "bilateral"}, name, position);
    const double kernel = number_parameter(parameters, "kernel", kDefaultDenoiseKernel, name, position);
    if (kernel != std::floor(kernel) || static_cast<int>(kernel) % 2 == 0 || kernel < 1 || kernel > kMaxKernel) {
      throw bad_op(name, position, "`kernel` must be an odd whole number from 1 to " + std::to_string(kMaxKernel));
    }
    parameters["kernel"] = static_cast<int>(kernel);
  } else if (name == "color_space") {
    if (state.color != "gray" && state.color != "rgb" && state.color != "bgr") {
      throw bad_op(name, position, "converts from gray, rgb or bgr only, and the image is " + state.color);
    }
    const std::string target =
        string_parameter(parameters, "to", "rgb", {"gray", "rgb", "bgr", "hsv", "lab", "ycrcb"}, name, position);
    parameters["from"] = state.color;
    state.color = target;
    state.channels = target == "gray" ? 1 : 3;
  } else if (name == "to_float") {
    number_parameter(parameters, "scale", kDefaultFloatScale, name, position);
    state.is_float = true;
  } else if (name == "normalize") {
    if (!state.is_float) throw bad_op(name, position, "`normalize` works on float images: put `to_float` before it");
    per_channel_parameter(parameters, "mean", 0.0, state.channels, name, position);
    per_channel_parameter(parameters, "std", 1.0, state.channels, name, position);
    for (const auto& value : parameters["std"]) {
      if (value.get<double>() <= 0) throw bad_op(name, position, "every `std` must be greater than 0");
    }
  } else {
    std::string names;
    for (const auto& known : preprocess_op_names()) names += (names.empty() ? "" : ", ") + known;
    throw invalid_argument("preprocess op " + std::to_string(position + 1) + ": unknown op `" + name +
                           "`: use one of " + names);
  }
}

cv::Mat apply_preprocess_op(const std::string& name, const Json& parameters, const cv::Mat& image) {
  if (name == "decode") return decode_op(parameters, image);
  if (name == "resize") return resize_op(parameters, image);
  if (name == "brightness_contrast") {
    cv::Mat output;
    image.convertTo(output, CV_8U, parameters["alpha"].get<double>(), parameters["beta"].get<double>());
    return output;
  }
  if (name == "equalize_histogram") return equalize_op(parameters, image);
  if (name == "denoise") return denoise_op(parameters, image);
  if (name == "color_space") return color_space_op(parameters, image);
  if (name == "to_float") {
    cv::Mat output;
    image.convertTo(output, CV_32F, parameters["scale"].get<double>());
    return output;
  }
  if (name == "normalize") return normalize_op(parameters, image);
  throw internal_error("preprocess op `" + name + "` was not checked");
}

}  // namespace edgeloop
