// Image header probing: the format and pixel size of an encoded image read from its first bytes,
// without decoding it, so an oversized image is refused before it costs memory, a file that ends
// before its format's end marker is known to be truncated, and a header declaring more pixels than
// the file could hold at its format's best compression is known to be corrupt. Called by
// decode_untrusted_image (core/untrusted_image.h), the one path from outside bytes to pixels, and
// by the IDX reader for the pixel cap. In core so that the device (edge/) and the importers (data/)
// share it. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace edgeloop {

struct ImageHeader {
  std::string format;     // png, jpg, bmp, tiff, webp
  int64_t width = 0;      // pixels, as the header says
  int64_t height = 0;     // pixels
  bool complete = true;   // false when the format's end marker is missing (a truncated file)
  // The fewest bytes a file with this header can have: the declared pixels at the most its codec can
  // expand one byte (see image_probe.cpp). 0 when the codec has no useful bound (BMP RLE, WebP,
  // arithmetic-coded JPEG): there the pixel cap alone bounds the cost.
  int64_t minimum_file_bytes = 0;
  // Set when the file is of an allowed format but asks for a decoder outside the allow-list, e.g.
  // "tiff compression 34925": libtiff would dispatch it to a codec untrusted bytes should not reach;
  // or a WebP whose header libwebp cannot read, which OpenCV would hand to a decoder after WebP's.
  std::string refused_variant;
  // A block the decoder allocates whole when it is larger than the image: a TIFF strip taller than
  // the image (RowsPerStrip) or a tile wider or taller, which OpenCV 4.6 allocates as declared, four
  // bytes a pixel (a 100000x8 TIFF declaring 8352 rows a strip asked for 3.3 GB). 0: none.
  int64_t block_width = 0;
  int64_t block_height = 0;
};

// nullopt when the bytes are not one of the supported formats (or the header itself is cut off).
std::optional<ImageHeader> probe_image_header(std::span<const uint8_t> bytes);

// The default pixel cap of the importers (--max-megapixels) and of every image the device decodes.
inline constexpr double kDefaultMaxMegapixels = 50.0;

// The pixel cap every image reader applies to a header before it decodes or allocates anything:
// image files (from probe_image_header) and IDX files (from their header). nullopt when
// width × height is within the cap; otherwise the reason, e.g.
// "image is 65535x65535 (4294.8 MP), over the 50.0 MP limit"; callers name their own way to raise it.
std::optional<std::string> pixel_limit_violation(int64_t width, int64_t height, double max_megapixels);

}  // namespace edgeloop
