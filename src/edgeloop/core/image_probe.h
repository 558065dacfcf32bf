// Image header probing: the format and pixel size of an encoded image read from its first bytes,
// without decoding it, so an oversized image is refused before it costs memory, and a file that
// ends before its format's end marker is known to be truncated. Called by the importers.
// Pure functions; thread-safe.
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
};

// nullopt when the bytes are not one of the supported formats (or the header itself is cut off).
std::optional<ImageHeader> probe_image_header(std::span<const uint8_t> bytes);

// The default pixel cap of the importers (--max-megapixels).
inline constexpr double kDefaultMaxMegapixels = 50.0;

// The pixel cap (--max-megapixels) every image reader applies to a header before it decodes or
// allocates anything: image files (from probe_image_header) and IDX files (from their header).
// nullopt when width × height is within the cap; otherwise the reason, e.g.
// "image is 65535x65535 (4294.8 MP), over the 50.0 MP limit (--max-megapixels)".
std::optional<std::string> pixel_limit_violation(int64_t width, int64_t height, double max_megapixels);

}  // namespace edgeloop
