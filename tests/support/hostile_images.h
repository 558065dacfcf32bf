// Hostile encoded images for the tests of the checked decode (core/untrusted_image.h) and of its
// callers: real files made by cv::imencode with their headers patched to claim another size or
// codec, and a DICOM-looking file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace edgeloop::testing {

// `image` encoded as `extension` (".png", ".jpg", ...) with cv::imencode `parameters`.
std::vector<uint8_t> encode_image(const std::string& extension, const cv::Mat& image, const std::vector<int>& parameters = {});

// A noisy image whose pixels are a function of `seed`.
cv::Mat noise_image(int seed, int rows, int columns, int channels);

// A real small PNG whose IHDR claims `width`×`height`, its CRC recomputed so that libpng reads it.
std::vector<uint8_t> png_claiming_size(uint32_t width, uint32_t height);
// A real small JPEG whose start-of-frame claims `width`×`height`.
std::vector<uint8_t> jpeg_claiming_size(uint16_t width, uint16_t height);
// A real small TIFF (cv::imencode, `compression` as IMWRITE_TIFF_COMPRESSION: 1 none, 5 LZW, ...)
// whose first directory claims `width`×`height`.
std::vector<uint8_t> tiff_claiming_size(uint32_t width, uint32_t height, int compression);
// Sets the value of `tag` in the first directory of a little-endian TIFF (SHORT or LONG, one value).
void set_tiff_tag(std::vector<uint8_t>& tiff, uint16_t tag, uint32_t value);

// The smallest DICOM-looking file: the 128-byte preamble and "DICM", nothing after. Debian's
// OpenCV 4.6 hands it to GDCM, whose reader then fails `assert(is.good())` and aborts the process.
std::vector<uint8_t> dicom_like_bytes();
// The same, its preamble opening as a WebP ("RIFF", "WEBP", a "VP8L" chunk) whose header libwebp
// rejects: OpenCV's WebP decoder declines it, and GDCM gets it (found by CI's image_fuzz).
std::vector<uint8_t> webp_header_over_dicom_bytes();

}  // namespace edgeloop::testing
