#include "edgeloop/core/image_probe.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <webp/decode.h>

namespace edgeloop {

namespace {

constexpr size_t kPngHeaderBytes = 29;     // signature (8) + IHDR length, type, width, height, depth, colour type
constexpr size_t kBmpHeaderBytes = 26;
constexpr size_t kBmpInfoHeaderBytes = 34;  // up to the compression field of a BITMAPINFOHEADER
constexpr uint32_t kBmpCoreHeaderSize = 12;  // OS/2 BITMAPCOREHEADER: 16-bit sizes, no compression
constexpr size_t kWebpHeaderBytes = 30;
constexpr size_t kOpenCvWebpSignatureBytes = 32;  // WEBP_HEADER_SIZE in OpenCV's grfmt_webp.cpp
constexpr size_t kEndMarkerSearchBytes = 64;  // end markers may be followed by a little padding
constexpr double kPixelsPerMegapixel = 1e6;
constexpr double kBitsPerByte = 8.0;
constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

// How far one byte of compressed data can expand, per codec. The plausibility bound of a header is
// its declared pixel bytes divided by this: a file smaller than that cannot hold what it declares.
// Deflate (PNG, TIFF Deflate): a 258-byte match coded in 2 bits (1-bit length and distance codes)
// is the format's ceiling, 1032:1.
constexpr double kDeflateMaxExpansion = 1032.0;
// TIFF PackBits: a 2-byte run token repeats one byte at most 128 times.
constexpr double kPackBitsMaxExpansion = 64.0;
// TIFF LZW as libtiff decodes it: 9- to 12-bit codes, each adding one table entry one byte longer
// than the last, 5,119 entries between clears (LZW_COMPAT's +1024). Every code emitting the longest
// string so far gives 11.8 MB from 6,943 bytes, 1,703:1; rounded up.
constexpr double kLzwMaxExpansion = 1750.0;
// Huffman-coded JPEG (also inside TIFF): the first scan of each component codes every 8×8 block's
// DC coefficient with a Huffman symbol, at least 1 bit. (A progressive file with no DC scan could
// go below; libjpeg calls that a bogus progression, and it is refused as corrupt. Arithmetic coding
// has no such floor: there the pixel cap alone applies.)
constexpr double kJpegBlockSide = 8.0;

uint32_t big_endian_32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | bytes[3];
}
uint16_t big_endian_16(const uint8_t* bytes) { return static_cast<uint16_t>((bytes[0] << 8) | bytes[1]); }
uint32_t little_endian_32(const uint8_t* bytes) {
  return (uint32_t{bytes[3]} << 24) | (uint32_t{bytes[2]} << 16) | (uint32_t{bytes[1]} << 8) | bytes[0];
}
uint16_t little_endian_16(const uint8_t* bytes) { return static_cast<uint16_t>((bytes[1] << 8) | bytes[0]); }

// A byte count rounded up, saturating instead of overflowing (headers may claim 2^32 × 2^32).
int64_t whole_bytes(double bytes) {
  constexpr double kLargest = 9e18;
  return static_cast<int64_t>(std::ceil(std::min(bytes, kLargest)));
}

// The least a Huffman-coded JPEG stream of width × height can take: 1 bit per 8×8 block.
int64_t jpeg_minimum_bytes(int64_t width, int64_t height) {
  const double blocks = std::ceil(width / kJpegBlockSide) * std::ceil(height / kJpegBlockSide);
  return whole_bytes(blocks / kBitsPerByte);
}

bool tail_contains(std::span<const uint8_t> bytes, std::span<const uint8_t> marker) {
  const size_t window = std::min(bytes.size(), kEndMarkerSearchBytes + marker.size());
  auto tail = bytes.subspan(bytes.size() - window);
  return std::search(tail.begin(), tail.end(), marker.begin(), marker.end()) != tail.end();
}

int png_channels(uint8_t colour_type) {
  switch (colour_type) {
    case 2: return 3;   // RGB
    case 4: return 2;   // gray + alpha
    case 6: return 4;   // RGBA
    default: return 1;  // gray, palette (or invalid: the smallest bound)
  }
}

std::optional<ImageHeader> probe_png(std::span<const uint8_t> bytes) {
  if (bytes.size() < kPngHeaderBytes || std::memcmp(bytes.data() + 12, "IHDR", 4) != 0) return std::nullopt;
  constexpr uint8_t kIend[4] = {'I', 'E', 'N', 'D'};
  ImageHeader header{"png", big_endian_32(bytes.data() + 16), big_endian_32(bytes.data() + 20), tail_contains(bytes, kIend)};
  // The zlib stream inflates to one filter byte plus the packed samples per row.
  const double bits_per_pixel = std::max<int>(bytes[24], 1) * png_channels(bytes[25]);
  const double row_bytes = 1.0 + std::ceil(header.width * bits_per_pixel / kBitsPerByte);
  header.minimum_file_bytes = whole_bytes(header.height * row_bytes / kDeflateMaxExpansion);
  return header;
}

// Walks the JPEG markers to the first start-of-frame, which holds the size and the coding.
std::optional<ImageHeader> probe_jpeg(std::span<const uint8_t> bytes) {
  size_t position = 2;
  while (position + 9 < bytes.size()) {
    if (bytes[position] != 0xFF) return std::nullopt;
    const uint8_t marker = bytes[position + 1];
    if (marker == 0xFF) { ++position; continue; }
    const bool is_start_of_frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (is_start_of_frame) {
      constexpr uint8_t kEndOfImage[2] = {0xFF, 0xD9};
      ImageHeader header{"jpg", big_endian_16(bytes.data() + position + 7), big_endian_16(bytes.data() + position + 5),
                         tail_contains(bytes, kEndOfImage)};
      const bool arithmetic_coded = marker >= 0xC9;
      if (!arithmetic_coded) header.minimum_file_bytes = jpeg_minimum_bytes(header.width, header.height);
      return header;
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
  int bits_per_pixel = 0;
  bool uncompressed = true;
  if (header_size == kBmpCoreHeaderSize) {
    header.width = little_endian_16(bytes.data() + 18);
    header.height = little_endian_16(bytes.data() + 20);
    bits_per_pixel = little_endian_16(bytes.data() + 24);
  } else {
    if (bytes.size() < kBmpInfoHeaderBytes) return std::nullopt;
    header.width = static_cast<int32_t>(little_endian_32(bytes.data() + 18));
    header.height = std::abs(static_cast<int64_t>(static_cast<int32_t>(little_endian_32(bytes.data() + 22))));  // negative: top-down
    bits_per_pixel = little_endian_16(bytes.data() + 28);
    // BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS store rows as they are; RLE may end the bitmap early.
    const uint32_t compression = little_endian_32(bytes.data() + 30);
    uncompressed = compression == 0 || compression == 3 || compression == 6;
  }
  header.complete = little_endian_32(bytes.data() + 2) <= bytes.size() && pixel_offset < bytes.size();
  if (uncompressed && header.width > 0) {
    const double row_bytes = std::ceil(header.width * static_cast<double>(bits_per_pixel) / 32.0) * 4.0;  // rows pad to 4 bytes
    header.minimum_file_bytes = whole_bytes(pixel_offset + row_bytes * static_cast<double>(header.height));
  }
  return header;
}

// OpenCV picks the first decoder whose signature check accepts the file's opening bytes. Every other
// accepted format's check is a fixed magic, but WebP's asks libwebp to parse the first 32 bytes
// (space-padded when the file is shorter); a RIFF file it rejects falls through to the decoders
// after it, GDCM among them (a "DICM" at offset 128 aborted the process). So the probe asks libwebp
// the same question, and takes the size from its answer.
std::optional<ImageHeader> probe_webp(std::span<const uint8_t> bytes) {
  if (bytes.size() < kWebpHeaderBytes) return std::nullopt;
  uint8_t signature[kOpenCvWebpSignatureBytes];
  std::memset(signature, ' ', sizeof signature);
  std::memcpy(signature, bytes.data(), std::min(bytes.size(), sizeof signature));
  WebPBitstreamFeatures features;
  ImageHeader header{"webp", 0, 0, little_endian_32(bytes.data() + 4) + 8 <= bytes.size()};
  if (WebPGetFeatures(signature, sizeof signature, &features) != VP8_STATUS_OK) {
    header.refused_variant = "a WebP whose header libwebp cannot read";
    return header;
  }
  header.width = features.width;
  header.height = features.height;
  return header;
}

// A TIFF file's first image file directory, read as libtiff reads it: the first entry of a tag wins
// (libtiff ignores later duplicates), BYTE, SHORT and LONG values, inline when they fit in the
// entry's 4 bytes, else at the offset the entry holds.
class TiffDirectory {
 public:
  explicit TiffDirectory(std::span<const uint8_t> bytes) : bytes_(bytes), little_(bytes[0] == 'I') {
    start_ = read32(4);
    if (start_ + 2 > bytes_.size()) return;
    const size_t entries = read16(start_);
    if (start_ + 2 + entries * kEntryBytes > bytes_.size()) return;  // a directory cut off
    entries_ = entries;
    readable_ = true;
  }
  bool readable() const { return readable_; }

  // The tag's first value; nullopt when the tag is absent or its value is not a readable integer.
  std::optional<uint32_t> value(uint16_t tag) const {
    for (size_t entry = 0; entry < entries_; ++entry) {
      const size_t at = start_ + 2 + entry * kEntryBytes;
      if (read16(at) == tag) return first_value(at);
    }
    return std::nullopt;
  }

 private:
  static constexpr size_t kEntryBytes = 12;
  // libtiff reads an integer tag from any integer type: unsigned and signed bytes, shorts and longs,
  // an IFD offset. When this read only the unsigned ones, a fuzzed TIFF with RowsPerStrip as a signed
  // short (8352 rows of a 100000-pixel-wide image) passed as one strip, and OpenCV allocated 3.3 GB.
  static constexpr uint16_t kByteType = 1, kShortType = 3, kLongType = 4, kSignedByteType = 6, kSignedShortType = 8,
                            kSignedLongType = 9, kIfdType = 13;

  static size_t value_size(uint16_t type) {
    switch (type) {
      case kByteType: case kSignedByteType: return 1;
      case kShortType: case kSignedShortType: return 2;
      case kLongType: case kSignedLongType: case kIfdType: return 4;
      default: return 0;
    }
  }

  std::optional<uint32_t> first_value(size_t entry) const {
    const uint16_t type = read16(entry + 2);
    const size_t size = value_size(type);
    const uint64_t count = read32(entry + 4);
    if (size == 0 || count == 0) return std::nullopt;
    const size_t at = count * size <= 4 ? entry + 8 : read32(entry + 8);
    if (at + size > bytes_.size()) return std::nullopt;
    // A negative signed value reads as a huge unsigned one, which every limit refuses.
    if (size == 1) return type == kSignedByteType ? static_cast<uint32_t>(static_cast<int8_t>(bytes_[at])) : bytes_[at];
    if (size == 2) return type == kSignedShortType ? static_cast<uint32_t>(static_cast<int16_t>(read16(at))) : read16(at);
    return read32(at);
  }
  uint16_t read16(size_t at) const { return little_ ? little_endian_16(bytes_.data() + at) : big_endian_16(bytes_.data() + at); }
  uint32_t read32(size_t at) const { return little_ ? little_endian_32(bytes_.data() + at) : big_endian_32(bytes_.data() + at); }

  std::span<const uint8_t> bytes_;
  bool little_;
  size_t start_ = 0;
  size_t entries_ = 0;
  bool readable_ = false;
};

// The TIFF codecs untrusted files may use, and how far each expands one byte. Others (old-style
// JPEG, CCITT fax, LZMA, ZSTD, JBIG, LERC, ...) are refused: libtiff would dispatch to a decoder
// that no camera or dataset here needs, with no useful bound.
struct TiffCodec {
  uint32_t compression;  // the Compression tag (259)
  double max_expansion;  // 0: JPEG, bounded per 8×8 block instead
};
constexpr TiffCodec kTiffCodecs[] = {
    {1, 1.0},                      // none
    {5, kLzwMaxExpansion},         // LZW
    {7, 0.0},                      // JPEG (libjpeg, Huffman)
    {8, kDeflateMaxExpansion},     // Adobe Deflate
    {32946, kDeflateMaxExpansion}, // Deflate (old code)
    {32773, kPackBitsMaxExpansion},
};

std::optional<ImageHeader> probe_tiff(std::span<const uint8_t> bytes) {
  constexpr uint16_t kImageWidthTag = 256, kImageLengthTag = 257, kBitsPerSampleTag = 258, kCompressionTag = 259,
                     kPhotometricTag = 262, kSamplesPerPixelTag = 277, kRowsPerStripTag = 278, kTileWidthTag = 322,
                     kTileLengthTag = 323;
  constexpr uint32_t kAllRowsInOneStrip = 0xFFFFFFFF;   // libtiff's default, which OpenCV reads as the height
  constexpr uint32_t kYCbCr = 6;
  const TiffDirectory directory(bytes);
  if (!directory.readable()) return std::nullopt;
  ImageHeader header{"tiff", directory.value(kImageWidthTag).value_or(0), directory.value(kImageLengthTag).value_or(0), true};
  if (header.width == 0 || header.height == 0) return std::nullopt;
  const std::optional<uint32_t> tile_width = directory.value(kTileWidthTag), tile_length = directory.value(kTileLengthTag);
  const uint32_t rows_per_strip = directory.value(kRowsPerStripTag).value_or(kAllRowsInOneStrip);
  if (tile_width || tile_length) {
    if (tile_width.value_or(0) > header.width || tile_length.value_or(0) > header.height) {
      header.block_width = std::max<int64_t>(tile_width.value_or(0), header.width);
      header.block_height = std::max<int64_t>(tile_length.value_or(0), header.height);
    }
  } else if (rows_per_strip != kAllRowsInOneStrip && rows_per_strip > header.height) {
    header.block_width = header.width;
    header.block_height = rows_per_strip;
  }
  const uint32_t compression = directory.value(kCompressionTag).value_or(1);  // libtiff's default: none
  const auto codec = std::find_if(std::begin(kTiffCodecs), std::end(kTiffCodecs),
                                  [&](const TiffCodec& known) { return known.compression == compression; });
  if (codec == std::end(kTiffCodecs)) {
    header.refused_variant = "tiff compression " + std::to_string(compression) + " (accepted: none, LZW, Deflate, PackBits, JPEG)";
    return header;
  }
  if (codec->max_expansion == 0.0) {
    header.minimum_file_bytes = jpeg_minimum_bytes(header.width, header.height);
    return header;
  }
  // Subsampled YCbCr keeps full resolution for luma only: count one sample per pixel there.
  const bool subsampled = directory.value(kPhotometricTag) == kYCbCr;
  const double samples = subsampled ? 1.0 : std::max<uint32_t>(directory.value(kSamplesPerPixelTag).value_or(1), 1);
  const double bits = std::max<uint32_t>(directory.value(kBitsPerSampleTag).value_or(1), 1);
  const double pixel_bytes = static_cast<double>(header.width) * static_cast<double>(header.height) * samples * bits / kBitsPerByte;
  header.minimum_file_bytes = whole_bytes(pixel_bytes / codec->max_expansion);
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
  std::snprintf(text, sizeof text, " (%.1f MP), over the %.1f MP limit", megapixels, max_megapixels);
  return "image is " + size + text;
}

}  // namespace edgeloop
