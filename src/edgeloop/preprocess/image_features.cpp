#include "edgeloop/preprocess/image_features.h"

#include <array>
#include <cmath>
#include <cstdlib>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr int kGrayLevels = 256;
constexpr double kSixteenToEightBit = 1.0 / 257.0;

// OpenCV's fixed-point 8-bit BGR2GRAY (Y = 0.299 R + 0.587 G + 0.114 B in Q15, its vector path's
// coefficients; checked pixel for pixel against cv::cvtColor in the tests).
constexpr int kGrayShift = 15;
constexpr int kBlueToGray = 3735;
constexpr int kGreenToGray = 19235;
constexpr int kRedToGray = 9798;

// OpenCV's 8-bit BGR2HSV saturation: S = (V - min) * round((255 << 12) / V) >> 12, rounded.
constexpr int kSaturationShift = 12;

const std::array<int, kGrayLevels>& saturation_divisors() {
  static const std::array<int, kGrayLevels> table = [] {
    std::array<int, kGrayLevels> divisors{};
    for (int value = 1; value < kGrayLevels; ++value) {
      divisors[value] = static_cast<int>(std::lround((255.0 * (1 << kSaturationShift)) / value));
    }
    return divisors;
  }();
  return table;
}

cv::Mat eight_bit(const cv::Mat& image) {
  if (image.depth() == CV_8U) return image;
  cv::Mat converted;
  image.convertTo(converted, CV_8U, image.depth() == CV_16U ? kSixteenToEightBit : 255.0);
  return converted;
}

// One pass over a BGR(A) image: its gray copy into `gray` (reused between calls) and the sum of
// the HSV saturations.
int64_t colour_to_gray(const cv::Mat& colour, cv::Mat& gray) {
  const std::array<int, kGrayLevels>& divisors = saturation_divisors();
  const int channels = colour.channels();
  gray.create(colour.rows, colour.cols, CV_8UC1);
  int64_t saturation_sum = 0;
  for (int row = 0; row < colour.rows; ++row) {
    const uint8_t* pixel = colour.ptr<uint8_t>(row);
    uint8_t* gray_row = gray.ptr<uint8_t>(row);
    for (int column = 0; column < colour.cols; ++column, pixel += channels) {
      const int blue = pixel[0], green = pixel[1], red = pixel[2];
      gray_row[column] = static_cast<uint8_t>(
          (blue * kBlueToGray + green * kGreenToGray + red * kRedToGray + (1 << (kGrayShift - 1))) >> kGrayShift);
      const int value = std::max({blue, green, red});
      const int difference = value - std::min({blue, green, red});
      saturation_sum += (difference * divisors[value] + (1 << (kSaturationShift - 1))) >> kSaturationShift;
    }
  }
  return saturation_sum;
}

// Reflect-101 neighbour index (OpenCV's default border): -1 -> 1, size -> size - 2.
inline int reflect_101(int index, int size) {
  if (size == 1) return 0;
  if (index < 0) return 1;
  if (index >= size) return size - 2;
  return index;
}

struct GraySums {
  int64_t sum = 0, squares = 0;                       // gray levels
  int64_t laplacian_sum = 0, laplacian_squares = 0;   // 4-neighbour Laplacian
  int64_t strong_gradients = 0;                       // pixels with Sobel |gx|+|gy| >= threshold
  std::array<uint32_t, kGrayLevels> histogram{};
};

// One row's sums, kept in locals: the pixel pointers are uint8_t, which may alias anything, so
// accumulating into a struct through a reference would store it back after every pixel.
struct RowSums {
  int64_t sum = 0, squares = 0, laplacian_sum = 0, laplacian_squares = 0, strong_gradients = 0;
};

inline void accumulate_pixel(const uint8_t* above, const uint8_t* here, const uint8_t* below, int column, int left,
                             int right, RowSums& row) {
  const int center = here[column];
  row.sum += center;
  row.squares += center * center;
  const int laplacian = above[column] + below[column] + here[left] + here[right] - 4 * center;
  row.laplacian_sum += laplacian;
  row.laplacian_squares += laplacian * laplacian;
  const int gradient_x = (above[right] + 2 * here[right] + below[right]) - (above[left] + 2 * here[left] + below[left]);
  const int gradient_y = (below[left] + 2 * below[column] + below[right]) - (above[left] + 2 * above[column] + above[right]);
  row.strong_gradients += std::abs(gradient_x) + std::abs(gradient_y) >= kStrongGradientThreshold;
}

// Everything the gray features need, in one pass over the pixels; the border columns apart so
// the interior loop has no index arithmetic, the histogram in its own loop over the row.
void accumulate_gray(const cv::Mat& gray, GraySums& sums) {
  const int columns = gray.cols;
  for (int row = 0; row < gray.rows; ++row) {
    const uint8_t* above = gray.ptr<uint8_t>(reflect_101(row - 1, gray.rows));
    const uint8_t* here = gray.ptr<uint8_t>(row);
    const uint8_t* below = gray.ptr<uint8_t>(reflect_101(row + 1, gray.rows));
    RowSums row_sums;
    accumulate_pixel(above, here, below, 0, reflect_101(-1, columns), reflect_101(1, columns), row_sums);
    for (int column = 1; column + 1 < columns; ++column) {
      accumulate_pixel(above, here, below, column, column - 1, column + 1, row_sums);
    }
    if (columns > 1) accumulate_pixel(above, here, below, columns - 1, columns - 2, reflect_101(columns, columns), row_sums);
    for (int column = 0; column < columns; ++column) ++sums.histogram[here[column]];
    sums.sum += row_sums.sum;
    sums.squares += row_sums.squares;
    sums.laplacian_sum += row_sums.laplacian_sum;
    sums.laplacian_squares += row_sums.laplacian_squares;
    sums.strong_gradients += row_sums.strong_gradients;
  }
}

// count * log2(count) for the counts a small image has, computed once.
constexpr int kEntropyTableSize = 4096;
inline double count_times_log2(int64_t count) {
  static const std::array<double, kEntropyTableSize> table = [] {
    std::array<double, kEntropyTableSize> values{};
    for (int value = 1; value < kEntropyTableSize; ++value) values[value] = value * std::log2(static_cast<double>(value));
    return values;
  }();
  if (count < kEntropyTableSize) return table[static_cast<size_t>(count)];
  return static_cast<double>(count) * std::log2(static_cast<double>(count));
}

// H = -sum p log2 p with p = count / total, written as log2(total) - sum(count log2 count) / total.
double histogram_entropy(const std::array<uint32_t, kGrayLevels>& histogram, double total) {
  double weighted = 0;
  for (uint32_t count : histogram) weighted += count_times_log2(count);
  return std::max(0.0, std::log2(total) - weighted / total);
}

// Population variance from a sum and a sum of squares; never negative from rounding.
double variance(int64_t sum, int64_t squares, double count) {
  const double mean = sum / count;
  return std::max(0.0, squares / count - mean * mean);
}

}  // namespace

ImageFeatures compute_image_features(const cv::Mat& input) {
  if (input.empty()) throw invalid_argument("image features: the image is empty");
  const cv::Mat image = eight_bit(input);
  const int channels = image.channels();
  if (channels != 1 && channels != 3 && channels != 4) {
    throw invalid_argument("image features: " + std::to_string(channels) + "-channel images are not supported");
  }
  const double pixels = static_cast<double>(image.total());
  ImageFeatures features;
  thread_local cv::Mat gray_scratch;   // colour frames only; reused so a stream does not allocate per frame
  const cv::Mat* gray = &image;
  if (channels != 1) {
    features.saturation = colour_to_gray(image, gray_scratch) / pixels;
    gray = &gray_scratch;
  }
  GraySums sums;
  accumulate_gray(*gray, sums);
  features.brightness = sums.sum / pixels;
  features.contrast = std::sqrt(variance(sums.sum, sums.squares, pixels));
  features.sharpness = variance(sums.laplacian_sum, sums.laplacian_squares, pixels);
  features.gradient_density = sums.strong_gradients / pixels;
  features.entropy = histogram_entropy(sums.histogram, pixels);
  return features;
}

}  // namespace edgeloop
