#include "edgeloop/train/augmentation.h"

#include <sstream>

#include <opencv2/imgproc.hpp>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {
constexpr double kFullScale = 255.0;
constexpr double kHalf = 0.5;
}  // namespace

AugmentSpec AugmentSpec::parse(const std::string& text) {
  AugmentSpec spec;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.empty()) continue;
    const size_t equals = item.find('=');
    const std::string key = item.substr(0, equals);
    double value = 0;
    if (equals != std::string::npos) {
      try {
        value = std::stod(item.substr(equals + 1));
      } catch (const std::exception&) {
        throw invalid_argument("augmentation `" + item + "`: the value is not a number, e.g. rotate=10");
      }
      if (value < 0) throw invalid_argument("augmentation `" + item + "`: the value must be >= 0");
    }
    if (key == "flip") spec.flip = true;
    else if (key == "shift") spec.shift = static_cast<int>(equals == std::string::npos ? 2 : value);
    else if (key == "rotate") spec.rotate = equals == std::string::npos ? 10 : value;
    else if (key == "brightness") spec.brightness = equals == std::string::npos ? 0.2 : value;
    else if (key == "contrast") spec.contrast = equals == std::string::npos ? 0.2 : value;
    else if (key == "noise") spec.noise = equals == std::string::npos ? 0.02 : value;
    else {
      throw invalid_argument("unknown augmentation `" + key +
                             "`: use flip, shift=PIXELS, rotate=DEGREES, brightness=F, contrast=F, noise=F");
    }
  }
  return spec;
}

bool AugmentSpec::empty() const {
  return !flip && shift == 0 && rotate == 0 && brightness == 0 && contrast == 0 && noise == 0;
}

void augment_image(cv::Mat& image, const AugmentSpec& spec, std::mt19937_64& random) {
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  if (spec.flip && std::bernoulli_distribution(kHalf)(random)) cv::flip(image, image, /*flipCode=*/1);
  if (spec.shift > 0 || spec.rotate > 0) {
    const double angle = spec.rotate * unit(random);
    const int dx = spec.shift > 0 ? std::uniform_int_distribution<int>(-spec.shift, spec.shift)(random) : 0;
    const int dy = spec.shift > 0 ? std::uniform_int_distribution<int>(-spec.shift, spec.shift)(random) : 0;
    cv::Mat transform = cv::getRotationMatrix2D(cv::Point2f(image.cols * 0.5f, image.rows * 0.5f), angle, 1.0);
    transform.at<double>(0, 2) += dx;
    transform.at<double>(1, 2) += dy;
    cv::Mat moved;
    cv::warpAffine(image, moved, transform, image.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    image = moved;
  }
  if (spec.brightness > 0 || spec.contrast > 0) {
    const double gain = 1.0 + spec.contrast * unit(random);
    const double offset = spec.brightness * kFullScale * unit(random);
    const double mean = cv::mean(image)[0];
    image.convertTo(image, image.type(), gain, offset + mean * (1.0 - gain));
  }
  if (spec.noise > 0) {
    cv::Mat noise(image.size(), CV_32FC(image.channels()));
    cv::RNG rng(random());
    rng.fill(noise, cv::RNG::NORMAL, 0.0, spec.noise * kFullScale);
    cv::Mat as_float;
    image.convertTo(as_float, CV_32F);
    as_float += noise;
    as_float.convertTo(image, image.type());
  }
}

}  // namespace edgeloop
