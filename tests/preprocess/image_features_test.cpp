#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/preprocess/image_features.h"

namespace edgeloop {
namespace {

TEST(ImageFeatures, flat_gray_image_has_its_level_as_brightness_and_nothing_else) {
  const ImageFeatures features = compute_image_features(cv::Mat(32, 32, CV_8UC1, cv::Scalar(100)));
  EXPECT_DOUBLE_EQ(features.brightness, 100.0);
  EXPECT_DOUBLE_EQ(features.contrast, 0.0);
  EXPECT_DOUBLE_EQ(features.sharpness, 0.0);
  EXPECT_DOUBLE_EQ(features.saturation, 0.0);
  EXPECT_DOUBLE_EQ(features.edge_density, 0.0);
  EXPECT_DOUBLE_EQ(features.entropy, 0.0);
}

TEST(ImageFeatures, half_black_half_white_has_one_bit_of_entropy_and_contrast_127_5) {
  cv::Mat image(32, 32, CV_8UC1, cv::Scalar(0));
  image(cv::Rect(16, 0, 16, 32)).setTo(255);
  const ImageFeatures features = compute_image_features(image);
  EXPECT_DOUBLE_EQ(features.brightness, 127.5);
  EXPECT_DOUBLE_EQ(features.contrast, 127.5);
  EXPECT_DOUBLE_EQ(features.entropy, 1.0);
  EXPECT_GT(features.edge_density, 0.0);
  EXPECT_LT(features.edge_density, 0.2);
}

TEST(ImageFeatures, blur_lowers_sharpness) {
  cv::Mat image(64, 64, CV_8UC1);
  cv::RNG(5).fill(image, cv::RNG::UNIFORM, 0, 256);
  cv::Mat blurred;
  cv::GaussianBlur(image, blurred, cv::Size(7, 7), 0);
  EXPECT_GT(compute_image_features(image).sharpness, 10 * compute_image_features(blurred).sharpness);
}

TEST(ImageFeatures, saturated_colour_has_full_saturation) {
  const ImageFeatures features = compute_image_features(cv::Mat(8, 8, CV_8UC3, cv::Scalar(0, 0, 255)));
  EXPECT_DOUBLE_EQ(features.saturation, 255.0);
}

TEST(ImageFeatures, empty_image_is_refused) { EXPECT_THROW(compute_image_features(cv::Mat()), Error); }

}  // namespace
}  // namespace edgeloop
