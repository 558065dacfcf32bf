#include "edgeloop/core/image_probe.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace edgeloop {

namespace {

constexpr size_t kPngHeaderBytes = 24;     // signature (8) + IHDR length, type, width, height
constexpr size_t kBmpHeaderBytes = 26;
constexpr size_t kWebpHeaderBytes = 30;
constexpr size_t kEndMarkerSearchBytes = 64;  // end markers may be followed by a little padding
constexpr double kPixelsPerMegapixel = 1e6;
constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

uint32_t big_endian_32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | bytes[3];
}
uint16_t big_endian_16(const uint8_t* bytes) { return static_cast<uint16_t>((bytes[0] << 8) | bytes[1]); }
uint32_t little_endian_32(const uint8_t* bytes) {
  return (uint32_t{bytes[3]} << 24) | (uint32_t{bytes[2]} << 16) | (uint32_t{bytes[1]} << 8) | bytes[0];
}
uint16_t little_endian_16(const uint8_t* bytes) { return static_cast<uint16_t>((bytes[1] << 8) | bytes[0]); }

bool tail_contains(std::span<const uint8_t> bytes, std::span<const uint8_t> marker) {
  const size_t window = std::min(bytes.size(), kEndMarkerSearchBytes + marker.size());
  auto tail = bytes.subspan(bytes.size() - window);
  return std::search(tail.begin(), tail.end(), marker.begin(), marker.end()) != tail.end();
}

std::optional<ImageHeader> probe_png(std::span<const uint8_t> bytes) {
  if (bytes.size() < kPngHeaderBytes || std::memcmp(bytes.data() + 12, "IHDR", 4) != 0) return std::nullopt;
  constexpr uint8_t kIend[4] = {'I', 'E', 'N', 'D'};
  return ImageHeader{"png", big_endian_32(bytes.data() + 16), big_endian_32(bytes.data() + 20), tail_contains(bytes, kIend)};
}

// Walks the JPEG markers to the first start-of-frame, which holds the size.
std::optional<ImageHeader> probe_jpeg(std::span<const uint8_t> bytes) {
  size_t position = 2;
  while (position + 9 < bytes.size()) {
    if (bytes[position] != 0xFF) return std::nullopt;
    const uint8_t marker = bytes[position + 1];
    if (marker == 0xFF) { ++position; continue; }
    const bool is_start_of_frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (is_start_of_frame) {
      constexpr uint8_t kEndOfImage[2] = {0xFF, 0xD9};
      return ImageHeader{"jpg", big_endian_16(bytes.data() + position + 7), big_endian_16(bytes.data() + position + 5),
                         tail_contains(bytes, kEndOfImage)};
    }
    position += 2 + big_endian_16(bytes.data() + position + 2);
  }
  return std::nullopt;
}

std::optional<ImageHeader> probe_bmp(std::span<const uint8_t> bytes) {
  if (bytes.size() < kBmpHeaderBytes) return std::nullopt;
  const uint32_t header_size = little_endian_32(bytes.data() + 14);
  const uint32_t pixel_offset = little_endian_32(bytes.data() + 10);
  ImageHeader header{"bmp", 0, 0, true};
  if (header_size == 12) {  // OS/2 BITMAPCOREHEADER: 16-bit sizes
    header.width = little_endian_16(bytes.data() + 18);
    header.height = little_endian_16(bytes.data() + 20);
  } else {
    header.width = static_cast<int32_t>(little_endian_32(bytes.data() + 18));
    header.height = std::abs(static_cast<int32_t>(little_endian_32(bytes.data() + 22)));  // negative: top-down
  }
  header.complete = little_endian_32(bytes.data() + 2) <= bytes.size() && pixel_offset < bytes.size();
  return header;
}

std::optional<ImageHeader> probe_webp(std::span<const uint8_t> bytes) {
  if (bytes.size() < kWebpHeaderBytes) return std::nullopt;
  const uint8_t* chunk = bytes.data() + 12;
  ImageHeader header{"webp", 0, 0, little_endian_32(bytes.data() + 4) + 8 <= bytes.size()};
  if (std::memcmp(chunk, "VP8 ", 4) == 0) {
    header.width = little_endian_16(chunk + 14) & 0x3FFF;
    header.height = little_endian_16(chunk + 16) & 0x3FFF;
  } else if (std::memcmp(chunk, "VP8L", 4) == 0) {
    const uint32_t bits = little_endian_32(chunk + 9);
    header.width = (bits & 0x3FFF) + 1;
    header.height = ((bits >> 14) & 0x3FFF) + 1;
  } else if (std::memcmp(chunk, "VP8X", 4) == 0) {
    header.width = 1 + (chunk[12] | (chunk[13] << 8) | (chunk[14] << 16));
    header.height = 1 + (chunk[15] | (chunk[16] << 8) | (chunk[17] << 16));
  } else {
    return std::nullopt;
  }
  return header;
}

// TIFF: the first image file directory's ImageWidth (256) and ImageLength (257) tags.
std::optional<ImageHeader> probe_tiff(std::span<const uint8_t> bytes) {
  const bool little = bytes[0] == 'I';
  auto read16 = [&](size_t at) { return little ? little_endian_16(bytes.data() + at) : big_endian_16(bytes.data() + at); };
  auto read32 = [&](size_t at) { return little ? little_endian_32(bytes.data() + at) : big_endian_32(bytes.data() + at); };
  constexpr uint16_t kImageWidthTag = 256, kImageLengthTag = 257, kShortType = 3;
  constexpr size_t kEntryBytes = 12;
  const size_t directory = read32(4);
  if (directory + 2 > bytes.size()) return std::nullopt;
  const size_t entries = read16(directory);
  ImageHeader header{"tiff", 0, 0, true};
  for (size_t entry = 0; entry < entries; ++entry) {
    const size_t at = directory + 2 + entry * kEntryBytes;
    if (at + kEntryBytes > bytes.size()) return std::nullopt;
    const uint16_t tag = read16(at);
    const int64_t value = read16(at + 2) == kShortType ? read16(at + 8) : read32(at + 8);
    if (tag == kImageWidthTag) header.width = value;
    if (tag == kImageLengthTag) header.height = value;
  }
  if (header.width == 0 || header.height == 0) return std::nullopt;
  return header;
}

}  // namespace

std::optional<ImageHeader> probe_image_header(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) return std::nullopt;
  if (std::memcmp(bytes.data(), kPngSignature, sizeof kPngSignature) == 0) return probe_png(bytes);
  if (bytes[0] == 0xFF && bytes[1] == 0xD8) return probe_jpeg(bytes);
  if (bytes[0] == 'B' && bytes[1] == 'M') return probe_bmp(bytes);
  if (std::memcmp(bytes.data(), "RIFF", 4) == 0 && bytes.size() >= 12 && std::memcmp(bytes.data() + 8, "WEBP", 4) == 0) {
    return probe_webp(bytes);
  }
  if ((std::memcmp(bytes.data(), "II*\0", 4) == 0) || (std::memcmp(bytes.data(), "MM\0*", 4) == 0)) return probe_tiff(bytes);
  return std::nullopt;
}

std::optional<std::string> pixel_limit_violation(int64_t width, int64_t height, double max_megapixels) {
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width <= 0 || height <= 0) return "image is " + size + ": it has no pixels";
  const double megapixels = static_cast<double>(width) * static_cast<double>(height) / kPixelsPerMegapixel;
  if (megapixels <= max_megapixels) return std::nullopt;
  char text[96];
  std::snprintf(text, sizeof text, " (%.1f MP), over the %.1f MP limit (--max-megapixels)", megapixels, max_megapixels);
  return "image is " + size + text;
}

}  // namespace edgeloop
