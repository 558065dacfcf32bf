#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/preprocess/image_features.h"

namespace edgeloop {
namespace {

// The plain OpenCV version of each feature the one-pass code computes, as the features were
// defined before it (gradient density aside): the fast path must agree with it.
ImageFeatures reference_image_features(const cv::Mat& image) {
  cv::Mat gray;
  if (image.channels() == 1) gray = image;
  else cv::cvtColor(image, gray, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  ImageFeatures features;
  cv::Scalar mean, deviation;
  cv::meanStdDev(gray, mean, deviation);
  features.brightness = mean[0];
  features.contrast = deviation[0];
  cv::Mat laplacian;
  cv::Laplacian(gray, laplacian, CV_64F);
  cv::meanStdDev(laplacian, mean, deviation);
  features.sharpness = deviation[0] * deviation[0];
  if (image.channels() != 1) {
    cv::Mat bgr = image, hsv;
    if (image.channels() == 4) cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
    cv::cvtColor(bgr, hsv, cv::COLOR_BGR2HSV);
    features.saturation = cv::mean(hsv)[1];
  }
  cv::Mat gradient_x, gradient_y;
  cv::Sobel(gray, gradient_x, CV_16S, 1, 0, 3, 1, 0, cv::BORDER_REFLECT_101);
  cv::Sobel(gray, gradient_y, CV_16S, 0, 1, 3, 1, 0, cv::BORDER_REFLECT_101);
  cv::Mat magnitude;
  cv::add(cv::abs(gradient_x), cv::abs(gradient_y), magnitude, cv::noArray(), CV_32S);
  features.gradient_density = cv::countNonZero(magnitude >= kStrongGradientThreshold) / static_cast<double>(gray.total());
  cv::Mat histogram;
  const int bins = 256;
  const float range[] = {0, 256};
  const float* ranges[] = {range};
  cv::calcHist(&gray, 1, nullptr, cv::Mat(), histogram, 1, &bins, ranges);
  for (int level = 0; level < bins; ++level) {
    const double probability = histogram.at<float>(level) / gray.total();
    if (probability > 0) features.entropy -= probability * std::log2(probability);
  }
  return features;
}

cv::Mat random_image(int rows, int columns, int type, uint64_t seed) {
  cv::Mat image(rows, columns, type);
  cv::RNG(seed).fill(image, cv::RNG::UNIFORM, 0, 256);
  return image;
}

cv::Mat checkerboard(int size, int square) {
  cv::Mat image(size, size, CV_8UC1);
  for (int row = 0; row < size; ++row) {
    for (int column = 0; column < size; ++column) {
      image.at<uint8_t>(row, column) = ((row / square + column / square) % 2) ? 255 : 0;
    }
  }
  return image;
}

void expect_same_features(const ImageFeatures& fast, const ImageFeatures& reference, double saturation_tolerance) {
  EXPECT_NEAR(fast.brightness, reference.brightness, 1e-9);
  EXPECT_NEAR(fast.contrast, reference.contrast, 1e-6);
  EXPECT_NEAR(fast.sharpness, reference.sharpness, 1e-6 * std::max(1.0, reference.sharpness));
  EXPECT_NEAR(fast.saturation, reference.saturation, saturation_tolerance);
  EXPECT_DOUBLE_EQ(fast.gradient_density, reference.gradient_density);
  EXPECT_NEAR(fast.entropy, reference.entropy, 1e-6);   // the reference's histogram is float
}

TEST(ImageFeatures, one_pass_matches_opencv_reference_on_seeded_gray_images) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    cv::Mat image = random_image(28 + static_cast<int>(seed), 28 - static_cast<int>(seed), CV_8UC1, seed);
    // Smooth some so that every gradient regime occurs, not only noise.
    if (seed % 2 == 0) cv::GaussianBlur(image, image, cv::Size(5, 5), 1.5);
    expect_same_features(compute_image_features(image), reference_image_features(image), 0.0);
  }
}

TEST(ImageFeatures, one_pass_matches_opencv_reference_on_seeded_colour_images) {
  for (int type : {CV_8UC3, CV_8UC4}) {
    const cv::Mat image = random_image(31, 17, type, 11);
    expect_same_features(compute_image_features(image), reference_image_features(image), 1e-9);
  }
}

TEST(ImageFeatures, tiny_images_use_the_reflected_border_like_opencv) {
  for (cv::Size size : {cv::Size(1, 1), cv::Size(1, 5), cv::Size(6, 1), cv::Size(2, 2)}) {
    const cv::Mat image = random_image(size.height, size.width, CV_8UC1, 3);
    expect_same_features(compute_image_features(image), reference_image_features(image), 0.0);
  }
}

TEST(ImageFeatures, flat_gray_image_has_its_level_as_brightness_and_nothing_else) {
  const ImageFeatures features = compute_image_features(cv::Mat(32, 32, CV_8UC1, cv::Scalar(100)));
  EXPECT_DOUBLE_EQ(features.brightness, 100.0);
  EXPECT_DOUBLE_EQ(features.contrast, 0.0);
  EXPECT_DOUBLE_EQ(features.sharpness, 0.0);
  EXPECT_DOUBLE_EQ(features.saturation, 0.0);
  EXPECT_DOUBLE_EQ(features.gradient_density, 0.0);
  EXPECT_DOUBLE_EQ(features.entropy, 0.0);
}

TEST(ImageFeatures, black_frame_has_brightness_zero) {
  const ImageFeatures features = compute_image_features(cv::Mat(24, 24, CV_8UC3, cv::Scalar(0, 0, 0)));
  EXPECT_DOUBLE_EQ(features.brightness, 0.0);
  EXPECT_DOUBLE_EQ(features.contrast, 0.0);
  EXPECT_DOUBLE_EQ(features.saturation, 0.0);
}

TEST(ImageFeatures, brighter_image_has_higher_brightness_and_flatter_one_lower_contrast) {
  const cv::Mat image = random_image(28, 28, CV_8UC1, 4) * 0.5 + 40;
  const ImageFeatures base = compute_image_features(image);
  const cv::Mat brighter = image + 60;
  const cv::Mat flatter = (image - base.brightness) * 0.4 + base.brightness;
  EXPECT_NEAR(compute_image_features(brighter).brightness, base.brightness + 60, 1e-9);
  EXPECT_LT(compute_image_features(flatter).contrast, 0.5 * base.contrast);
}

TEST(ImageFeatures, half_black_half_white_has_one_bit_of_entropy_and_contrast_127_5) {
  cv::Mat image(32, 32, CV_8UC1, cv::Scalar(0));
  image(cv::Rect(16, 0, 16, 32)).setTo(255);
  const ImageFeatures features = compute_image_features(image);
  EXPECT_DOUBLE_EQ(features.brightness, 127.5);
  EXPECT_DOUBLE_EQ(features.contrast, 127.5);
  EXPECT_DOUBLE_EQ(features.entropy, 1.0);
  // The two columns either side of the boundary carry the step.
  EXPECT_DOUBLE_EQ(features.gradient_density, 2.0 / 32.0);
}

TEST(ImageFeatures, checkerboard_has_dense_gradients_and_flat_image_none) {
  const ImageFeatures board = compute_image_features(checkerboard(32, 2));
  EXPECT_GT(board.gradient_density, 0.9);
  EXPECT_DOUBLE_EQ(compute_image_features(cv::Mat(32, 32, CV_8UC1, cv::Scalar(200))).gradient_density, 0.0);
  // Coarser squares: fewer pixels on a boundary.
  EXPECT_LT(compute_image_features(checkerboard(32, 8)).gradient_density, 0.5 * board.gradient_density);
}

TEST(ImageFeatures, blur_lowers_sharpness) {
  const cv::Mat image = random_image(64, 64, CV_8UC1, 5);
  cv::Mat blurred;
  cv::GaussianBlur(image, blurred, cv::Size(7, 7), 0);
  EXPECT_GT(compute_image_features(image).sharpness, 10 * compute_image_features(blurred).sharpness);
}

TEST(ImageFeatures, noise_raises_sharpness_and_gradient_density) {
  cv::Mat smooth = random_image(64, 64, CV_8UC1, 6);
  cv::GaussianBlur(smooth, smooth, cv::Size(9, 9), 3);
  cv::Mat noise(smooth.size(), CV_16SC1);
  cv::RNG(7).fill(noise, cv::RNG::NORMAL, 0, 30);
  cv::Mat noisy;
  cv::add(smooth, noise, noisy, cv::noArray(), CV_8U);
  const ImageFeatures clean = compute_image_features(smooth);
  const ImageFeatures dirty = compute_image_features(noisy);
  EXPECT_GT(dirty.sharpness, 10 * clean.sharpness);
  EXPECT_GT(dirty.gradient_density, clean.gradient_density + 0.2);
}

TEST(ImageFeatures, saturated_colour_has_full_saturation) {
  const ImageFeatures features = compute_image_features(cv::Mat(8, 8, CV_8UC3, cv::Scalar(0, 0, 255)));
  EXPECT_DOUBLE_EQ(features.saturation, 255.0);
}

TEST(ImageFeatures, sixteen_bit_image_is_measured_as_its_eight_bit_scaling) {
  const cv::Mat eight = random_image(20, 20, CV_8UC1, 8);
  cv::Mat sixteen;
  eight.convertTo(sixteen, CV_16U, 257.0);
  expect_same_features(compute_image_features(sixteen), compute_image_features(eight), 0.0);
}

TEST(ImageFeatures, empty_image_is_refused) { EXPECT_THROW(compute_image_features(cv::Mat()), Error); }

}  // namespace
}  // namespace edgeloop
