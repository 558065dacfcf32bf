#include "support/hostile_images.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>

namespace edgeloop::testing {

namespace {

constexpr int kSmallSide = 32;   // the real image behind every patched header

void put_big_endian_32(std::vector<uint8_t>& bytes, size_t at, uint32_t value) {
  for (int shift = 0; shift < 4; ++shift) bytes[at + shift] = static_cast<uint8_t>(value >> (24 - 8 * shift));
}
void put_little_endian(std::vector<uint8_t>& bytes, size_t at, uint32_t value, int count) {
  for (int index = 0; index < count; ++index) bytes[at + index] = static_cast<uint8_t>(value >> (8 * index));
}
uint32_t little_endian(const std::vector<uint8_t>& bytes, size_t at, int count) {
  uint32_t value = 0;
  for (int index = count - 1; index >= 0; --index) value = (value << 8) | bytes[at + index];
  return value;
}

// PNG's chunk CRC (ISO 3309, the zlib polynomial), bit by bit: a test needs a handful.
uint32_t png_crc(const uint8_t* data, size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t index = 0; index < size; ++index) {
    crc ^= data[index];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace

std::vector<uint8_t> encode_image(const std::string& extension, const cv::Mat& image, const std::vector<int>& parameters) {
  std::vector<uint8_t> bytes;
  if (!cv::imencode(extension, image, bytes, parameters)) throw std::runtime_error("cv::imencode " + extension + " failed");
  return bytes;
}

cv::Mat noise_image(int seed, int rows, int columns, int channels) {
  cv::Mat image(rows, columns, CV_8UC(channels));
  cv::RNG generator(static_cast<uint64_t>(seed) + 1);
  generator.fill(image, cv::RNG::UNIFORM, 0, 256);
  return image;
}

std::vector<uint8_t> png_claiming_size(uint32_t width, uint32_t height) {
  constexpr size_t kIhdrType = 12, kIhdrData = 16, kIhdrDataBytes = 13;
  std::vector<uint8_t> bytes = encode_image(".png", noise_image(1, kSmallSide, kSmallSide, 1));
  put_big_endian_32(bytes, kIhdrData, width);
  put_big_endian_32(bytes, kIhdrData + 4, height);
  put_big_endian_32(bytes, kIhdrData + kIhdrDataBytes, png_crc(bytes.data() + kIhdrType, 4 + kIhdrDataBytes));
  return bytes;
}

std::vector<uint8_t> jpeg_claiming_size(uint16_t width, uint16_t height) {
  std::vector<uint8_t> bytes = encode_image(".jpg", noise_image(2, kSmallSide, kSmallSide, 3));
  for (size_t at = 2; at + 9 < bytes.size();) {
    const uint8_t marker = bytes[at + 1];
    if (marker == 0xC0 || marker == 0xC2) {  // baseline or progressive start-of-frame
      bytes[at + 5] = static_cast<uint8_t>(height >> 8);
      bytes[at + 6] = static_cast<uint8_t>(height);
      bytes[at + 7] = static_cast<uint8_t>(width >> 8);
      bytes[at + 8] = static_cast<uint8_t>(width);
      return bytes;
    }
    at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  }
  throw std::runtime_error("no start-of-frame in the encoded JPEG");
}

void set_tiff_tag(std::vector<uint8_t>& tiff, uint16_t tag, uint32_t value) {
  constexpr uint16_t kShortType = 3, kLongType = 4;
  if (tiff.size() < 8 || tiff[0] != 'I') throw std::runtime_error("not a little-endian TIFF");
  const size_t directory = little_endian(tiff, 4, 4);
  const size_t entries = little_endian(tiff, directory, 2);
  for (size_t entry = 0; entry < entries; ++entry) {
    const size_t at = directory + 2 + entry * 12;
    if (little_endian(tiff, at, 2) != tag) continue;
    const bool fits_short = value <= 0xFFFF;
    put_little_endian(tiff, at + 2, fits_short ? kShortType : kLongType, 2);
    put_little_endian(tiff, at + 4, 1, 4);
    put_little_endian(tiff, at + 8, 0, 4);
    put_little_endian(tiff, at + 8, value, fits_short ? 2 : 4);
    return;
  }
  throw std::runtime_error("TIFF tag " + std::to_string(tag) + " not in the first directory");
}

std::vector<uint8_t> tiff_claiming_size(uint32_t width, uint32_t height, int compression) {
  constexpr uint16_t kImageWidthTag = 256, kImageLengthTag = 257;
  std::vector<uint8_t> bytes =
      encode_image(".tiff", noise_image(3, kSmallSide, kSmallSide, 1), {cv::IMWRITE_TIFF_COMPRESSION, compression});
  set_tiff_tag(bytes, kImageWidthTag, width);
  set_tiff_tag(bytes, kImageLengthTag, height);
  return bytes;
}

std::vector<uint8_t> dicom_like_bytes() {
  std::vector<uint8_t> bytes(128, 0);  // the preamble
  for (const char letter : {'D', 'I', 'C', 'M'}) bytes.push_back(static_cast<uint8_t>(letter));
  return bytes;
}

std::vector<uint8_t> webp_header_over_dicom_bytes() {
  std::vector<uint8_t> bytes = dicom_like_bytes();
  // A VP8L chunk must start with the signature byte 0x2F; 0xFF makes libwebp refuse the header.
  const uint8_t riff[] = {'R', 'I', 'F', 'F', 8, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 5, 0, 0, 0, 0xFF, 0x2F, 0x2F, 0x42};
  std::copy(std::begin(riff), std::end(riff), bytes.begin());
  return bytes;
}

}  // namespace edgeloop::testing
