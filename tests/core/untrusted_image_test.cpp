#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/core/image_probe.h"
#include "edgeloop/core/untrusted_image.h"
#include "support/hostile_images.h"
#include "support/largest_mat_allocation.h"

namespace edgeloop {
namespace {

using testing::encode_image;
using testing::noise_image;

// Far below any image the hostile headers claim (7000×7000 is 49 MB), above the small real ones.
constexpr size_t kSmallAllocationBytes = 1 << 20;

TEST(UntrustedImage, every_accepted_format_decodes_as_imdecode_would) {
  const cv::Mat image = noise_image(1, 12, 20, 3);
  for (const std::string extension : {".png", ".bmp", ".tiff", ".webp", ".jpg"}) {
    const std::vector<uint8_t> bytes = encode_image(extension, image);
    const UntrustedImage decoded = try_decode_untrusted_image(bytes, kDefaultMaxMegapixels, cv::IMREAD_UNCHANGED);
    ASSERT_EQ(decoded.refusal, ImageRefusal::kNone) << extension << ": " << decoded.reason;
    EXPECT_EQ(cv::norm(decoded.image, cv::imdecode(bytes, cv::IMREAD_UNCHANGED), cv::NORM_INF), 0) << extension;
    EXPECT_EQ(decoded.format, extension == ".tiff" ? "tiff" : extension.substr(1));
  }
}

// Debian's OpenCV 4.6 hands a file with "DICM" at offset 128 to GDCM, which aborted the device.
TEST(UntrustedImage, a_tiff_strip_taller_than_the_image_counts_against_the_pixel_cap_whatever_integer_type_declares_it) {
  // image_fuzz's input: a 100000x8 Deflate TIFF declaring 8352 rows a strip. Its 0.8 MP pass the cap,
  // but OpenCV allocates the whole declared strip, four bytes a pixel: 3.3 GB (out of memory).
  const std::vector<uint8_t> bytes = {
      0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x01, 0x04, 0x00,
      0x01, 0x00, 0x00, 0x00, 0xa0, 0x86, 0x01, 0x00, 0x01, 0x01, 0x04, 0x00, 0x01, 0x00,
      0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03, 0x01, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00,
      0x08, 0x00, 0x00, 0x00, 0x03, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00,
      0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
      0x11, 0x01, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x6e, 0x00, 0x00, 0x00, 0x16, 0x01,
      0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa0, 0x20, 0x01, 0x01, 0x86, 0x01, 0x04, 0x00,
      0x11, 0x01, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x6e, 0x00, 0x00, 0x00, 0x16, 0x01,
      0x00, 0x00, 0x00, 0x49, 0x48, 0x44, 0x50, 0xa0, 0x86, 0x01, 0x23,
  };
  // libtiff reads RowsPerStrip from a signed short too: a later fuzz run found that variant.
  constexpr size_t kRowsPerStripType = 84;
  constexpr uint8_t kShort = 3, kSignedShort = 8;
  for (const uint8_t type : {kShort, kSignedShort}) {
    std::vector<uint8_t> variant = bytes;
    variant[kRowsPerStripType] = type;
    const std::optional<ImageHeader> header = probe_image_header(variant);
    ASSERT_TRUE(header.has_value()) << "type " << int(type);
    EXPECT_EQ(header->width, 100000);
    EXPECT_EQ(header->height, 8);
    EXPECT_EQ(header->block_height, 8352) << "type " << int(type);
    const UntrustedImage decoded = try_decode_untrusted_image(variant, kDefaultMaxMegapixels, cv::IMREAD_COLOR);
    EXPECT_EQ(decoded.refusal, ImageRefusal::kTooLarge) << "type " << int(type) << ": " << decoded.reason;
    EXPECT_NE(decoded.reason.find("strip or tile"), std::string::npos) << decoded.reason;
  }
}

TEST(UntrustedImage, a_dicom_file_is_refused_before_any_decoder_sees_it) {
  const UntrustedImage decoded = try_decode_untrusted_image(testing::dicom_like_bytes(), kDefaultMaxMegapixels, cv::IMREAD_ANYCOLOR);
  EXPECT_EQ(decoded.refusal, ImageRefusal::kFormatRefused);
  EXPECT_TRUE(decoded.image.empty());
  EXPECT_EQ(decoded.reason, "not an image (no PNG, JPEG, BMP, TIFF or WebP header)");
}

// OpenCV's WebP decoder asks libwebp about the first 32 bytes and declines a header it cannot read;
// the file then falls through to GDCM. The probe must decline it the same way, not call it WebP.
TEST(UntrustedImage, a_riff_file_libwebp_cannot_read_never_reaches_another_decoder) {
  const UntrustedImage decoded =
      try_decode_untrusted_image(testing::webp_header_over_dicom_bytes(), kDefaultMaxMegapixels, cv::IMREAD_ANYCOLOR);
  EXPECT_EQ(decoded.refusal, ImageRefusal::kFormatRefused);
  EXPECT_TRUE(decoded.image.empty());
  EXPECT_EQ(decoded.reason, "a WebP whose header libwebp cannot read is not accepted");
}

TEST(UntrustedImage, an_image_over_the_pixel_cap_is_refused_before_allocation) {
  testing::LargestMatAllocation largest;
  const UntrustedImage decoded =
      try_decode_untrusted_image(testing::png_claiming_size(10000, 6000), kDefaultMaxMegapixels, cv::IMREAD_ANYCOLOR);
  EXPECT_EQ(decoded.refusal, ImageRefusal::kTooLarge);
  EXPECT_EQ(decoded.reason, "image is 10000x6000 (60.0 MP), over the 50.0 MP limit");
  EXPECT_LT(largest.bytes(), kSmallAllocationBytes);
}

// 7000×7000 is under the default cap: only the file-size bound stands between the header and a
// 49 MB allocation (libpng, libjpeg and libtiff would allocate, then decode garbage or fail).
TEST(UntrustedImage, a_header_claiming_more_pixels_than_its_file_holds_is_refused_before_allocation) {
  constexpr uint32_t kClaimedSide = 7000;
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> files = {
      {"png", testing::png_claiming_size(kClaimedSide, kClaimedSide)},
      {"jpg", testing::jpeg_claiming_size(kClaimedSide, kClaimedSide)},
      {"tiff", testing::tiff_claiming_size(kClaimedSide, kClaimedSide, 1)},
      {"tiff", testing::tiff_claiming_size(kClaimedSide, kClaimedSide, 5)}};
  for (const auto& [format, bytes] : files) {
    testing::LargestMatAllocation largest;
    const UntrustedImage decoded = try_decode_untrusted_image(bytes, kDefaultMaxMegapixels, cv::IMREAD_ANYCOLOR);
    EXPECT_EQ(decoded.refusal, ImageRefusal::kTruncated) << format << ": " << decoded.reason;
    EXPECT_NE(decoded.reason.find("truncated or corrupt " + format + " (its header declares 7000x7000, which takes at least "),
              std::string::npos)
        << decoded.reason;
    EXPECT_LT(largest.bytes(), kSmallAllocationBytes) << format;
  }
}

// With the cap raised out of the way, a 60000×60000 JPEG in 2 KB is still refused by its size.
TEST(UntrustedImage, a_jpeg_claiming_60000_square_in_two_kilobytes_is_refused_whatever_the_cap) {
  const std::vector<uint8_t> jpeg = testing::jpeg_claiming_size(60000, 60000);
  ASSERT_LT(jpeg.size(), 4096u);
  const UntrustedImage decoded = try_decode_untrusted_image(jpeg, /*max_megapixels=*/1e5, cv::IMREAD_ANYCOLOR);
  EXPECT_EQ(decoded.refusal, ImageRefusal::kTruncated) << decoded.reason;
  EXPECT_NE(decoded.reason.find("at least 7031250 bytes"), std::string::npos) << decoded.reason;  // 7500² blocks / 8
}

TEST(UntrustedImage, a_tiff_compression_outside_the_allow_list_is_refused) {
  constexpr uint16_t kCompressionTag = 259;
  constexpr uint32_t kOldStyleJpeg = 6;
  std::vector<uint8_t> tiff = encode_image(".tiff", noise_image(2, 16, 16, 1));
  testing::set_tiff_tag(tiff, kCompressionTag, kOldStyleJpeg);
  const UntrustedImage decoded = try_decode_untrusted_image(tiff, kDefaultMaxMegapixels, cv::IMREAD_UNCHANGED);
  EXPECT_EQ(decoded.refusal, ImageRefusal::kFormatRefused);
  EXPECT_EQ(decoded.reason, "tiff compression 6 (accepted: none, LZW, Deflate, PackBits, JPEG) is not accepted");
}

TEST(UntrustedImage, a_cut_file_is_truncated_and_a_damaged_one_undecodable) {
  std::vector<uint8_t> png = encode_image(".png", noise_image(3, 40, 40, 1));
  std::vector<uint8_t> cut(png.begin(), png.begin() + static_cast<std::ptrdiff_t>(png.size() / 2));
  EXPECT_EQ(try_decode_untrusted_image(cut, kDefaultMaxMegapixels, cv::IMREAD_UNCHANGED).refusal, ImageRefusal::kTruncated);
  std::fill(png.begin() + 40, png.end() - 20, 0x55);  // the IDAT stream overwritten, the end marker kept
  const UntrustedImage damaged = try_decode_untrusted_image(png, kDefaultMaxMegapixels, cv::IMREAD_UNCHANGED);
  EXPECT_EQ(damaged.refusal, ImageRefusal::kUndecodable);
  EXPECT_EQ(damaged.reason, "corrupt png (it does not decode)");
}

TEST(UntrustedImage, the_throwing_form_is_one_line_naming_the_source_and_the_fix) {
  const std::string text = "GIF89a, not accepted";
  try {
    decode_untrusted_image(encoded_bytes(text), kDefaultMaxMegapixels, cv::IMREAD_ANYCOLOR, "upload.gif");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(std::string(error.what()),
              "upload.gif: not an image (no PNG, JPEG, BMP, TIFF or WebP header): send or convert it to PNG, JPEG, BMP, TIFF or WebP");
  }
}

TEST(UntrustedImage, asking_for_gdal_is_a_bug) {
  const std::vector<uint8_t> png = encode_image(".png", noise_image(4, 4, 4, 1));
  EXPECT_THROW(try_decode_untrusted_image(png, kDefaultMaxMegapixels, cv::IMREAD_LOAD_GDAL), Error);
}

}  // namespace
}  // namespace edgeloop
