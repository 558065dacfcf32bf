#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/image_probe.h"
#include "support/hostile_images.h"

namespace edgeloop {
namespace {

using testing::encode_image;
using testing::noise_image;

TEST(ImageProbe, reads_the_size_of_every_supported_format_from_its_header) {
  const cv::Mat image = noise_image(3, 21, 34, 3);
  for (const std::string extension : {".png", ".jpg", ".bmp", ".tiff", ".webp"}) {
    const auto header = probe_image_header(encode_image(extension, image));
    ASSERT_TRUE(header.has_value()) << extension;
    EXPECT_EQ(header->width, 34) << extension;
    EXPECT_EQ(header->height, 21) << extension;
    EXPECT_TRUE(header->complete) << extension;
    EXPECT_EQ(header->refused_variant, "") << extension;
  }
  EXPECT_FALSE(probe_image_header(std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'}).has_value());
}

TEST(ImageProbe, a_cut_png_or_jpeg_is_incomplete) {
  const cv::Mat image = noise_image(4, 40, 40, 3);
  for (const std::string extension : {".png", ".jpg"}) {
    auto bytes = encode_image(extension, image);
    bytes.resize(bytes.size() * 2 / 3);
    const auto header = probe_image_header(bytes);
    ASSERT_TRUE(header.has_value()) << extension;
    EXPECT_FALSE(header->complete) << extension;
  }
}

// The size bound must never refuse a real file: flat images compress best, so they come closest.
TEST(ImageProbe, real_files_of_every_format_and_tiff_codec_are_within_their_size_bound) {
  constexpr int kSide = 1024;
  const std::vector<std::pair<std::string, std::vector<int>>> encodings = {
      {".png", {cv::IMWRITE_PNG_COMPRESSION, 9}},  {".jpg", {cv::IMWRITE_JPEG_QUALITY, 10}},
      {".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1}}, {".bmp", {}},
      {".webp", {}},                               {".tiff", {cv::IMWRITE_TIFF_COMPRESSION, 1}},
      {".tiff", {cv::IMWRITE_TIFF_COMPRESSION, 5}}, {".tiff", {cv::IMWRITE_TIFF_COMPRESSION, 8}},
      {".tiff", {cv::IMWRITE_TIFF_COMPRESSION, 32773}}};
  for (const cv::Mat& image : {cv::Mat(kSide, kSide, CV_8UC1, cv::Scalar(0)), cv::Mat(kSide, kSide, CV_8UC3, cv::Scalar(7, 7, 7)),
                               noise_image(5, 64, 48, 3)}) {
    for (const auto& [extension, parameters] : encodings) {
      const std::vector<uint8_t> bytes = encode_image(extension, image, parameters);
      const auto header = probe_image_header(bytes);
      const std::string what = extension + " " + std::to_string(parameters.empty() ? 0 : parameters.back()) + " of " +
                               std::to_string(image.cols) + "x" + std::to_string(image.rows) + "x" + std::to_string(image.channels());
      ASSERT_TRUE(header.has_value()) << what;
      EXPECT_EQ(header->refused_variant, "") << what;
      EXPECT_LE(header->minimum_file_bytes, static_cast<int64_t>(bytes.size())) << what;
      if (extension != ".webp") EXPECT_GT(header->minimum_file_bytes, 0) << what << ": a bound exists";
    }
  }
}

TEST(ImageProbe, a_header_claiming_more_pixels_than_the_file_can_hold_has_a_larger_minimum_than_the_file) {
  constexpr uint32_t kClaimedSide = 7000;   // 49 MP: under the default cap, so only the size bound can refuse it
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> files = {
      {"png", testing::png_claiming_size(kClaimedSide, kClaimedSide)},
      {"jpg", testing::jpeg_claiming_size(kClaimedSide, kClaimedSide)},
      {"tiff none", testing::tiff_claiming_size(kClaimedSide, kClaimedSide, 1)},
      {"tiff LZW", testing::tiff_claiming_size(kClaimedSide, kClaimedSide, 5)},
      {"tiff Deflate", testing::tiff_claiming_size(kClaimedSide, kClaimedSide, 8)},
      {"tiff PackBits", testing::tiff_claiming_size(kClaimedSide, kClaimedSide, 32773)}};
  for (const auto& [what, bytes] : files) {
    const auto header = probe_image_header(bytes);
    ASSERT_TRUE(header.has_value()) << what;
    EXPECT_EQ(header->width, kClaimedSide) << what;
    EXPECT_TRUE(header->complete) << what;
    EXPECT_GT(header->minimum_file_bytes, static_cast<int64_t>(bytes.size())) << what;
  }
}

TEST(ImageProbe, a_tiff_codec_outside_the_allow_list_is_named) {
  constexpr uint16_t kCompressionTag = 259;
  constexpr uint32_t kLzma = 34925;
  std::vector<uint8_t> tiff = encode_image(".tiff", noise_image(6, 16, 16, 1));
  testing::set_tiff_tag(tiff, kCompressionTag, kLzma);
  const auto header = probe_image_header(tiff);
  ASSERT_TRUE(header.has_value());
  EXPECT_NE(header->refused_variant.find("tiff compression 34925"), std::string::npos) << header->refused_variant;
}

TEST(ImageProbe, the_first_of_duplicate_tiff_tags_counts_as_in_libtiff) {
  // libtiff marks later duplicates of a tag as ignored (tif_dirread.c): a second ImageWidth entry
  // must not let a file declare one size to the probe and another to the decoder.
  constexpr uint16_t kImageWidthTag = 256, kShortType = 3;
  constexpr uint16_t kLaterWidth = 999;
  std::vector<uint8_t> tiff = encode_image(".tiff", noise_image(7, 16, 24, 1), {cv::IMWRITE_TIFF_COMPRESSION, 1});
  const size_t directory = tiff[4] | (tiff[5] << 8) | (tiff[6] << 16) | (size_t{tiff[7]} << 24);
  const size_t entries = tiff[directory] | (tiff[directory + 1] << 8);
  const size_t last_entry = directory + 2 + (entries - 1) * 12;  // a tag the probe does not need
  const uint8_t later_width[12] = {kImageWidthTag & 0xFF, kImageWidthTag >> 8, kShortType, 0, 1, 0, 0, 0,
                                   kLaterWidth & 0xFF, kLaterWidth >> 8, 0, 0};
  std::copy(std::begin(later_width), std::end(later_width), tiff.begin() + static_cast<std::ptrdiff_t>(last_entry));
  const auto header = probe_image_header(tiff);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->width, 24);
}

TEST(ImageProbe, the_pixel_cap_names_the_size_and_the_limit) {
  EXPECT_EQ(pixel_limit_violation(7000, 7000, kDefaultMaxMegapixels), std::nullopt);
  EXPECT_EQ(pixel_limit_violation(65535, 65535, kDefaultMaxMegapixels), "image is 65535x65535 (4294.8 MP), over the 50.0 MP limit");
  EXPECT_EQ(pixel_limit_violation(0, 10, kDefaultMaxMegapixels), "image is 0x10: it has no pixels");
}

}  // namespace
}  // namespace edgeloop
