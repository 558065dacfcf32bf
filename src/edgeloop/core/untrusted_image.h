// decode_untrusted_image: the one path from encoded image bytes that came from outside (an HTTP
// body, a file in a folder, an imported file, a stored object, an image pack) to pixels. Called by
// the device's POST /v1/predict and frame sources, the importers and the object store.
//
// OpenCV's imdecode picks a decoder by signature among every codec it was built with: Debian's
// OpenCV 4.6 also decodes DICOM (through GDCM, which aborted the device on a garbage file),
// JPEG 2000, OpenEXR, HDR, PxM, Sun raster and more. So the bytes are probed first
// (core/image_probe.h) and only PNG, JPEG, BMP, TIFF and WebP go on: the probe requires each
// format's signature at offset 0, where OpenCV's decoders for those five are tried before the others
// (loadsave.cpp registers BMP, JPEG, WebP, TIFF and PNG ahead of DICOM, JPEG 2000 and OpenEXR).
// The header is checked against the pixel cap, its end marker and the file size it implies before
// anything is allocated. Thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <opencv2/core/mat.hpp>

#include "edgeloop/core/error.h"

namespace edgeloop {

// Why an untrusted image was refused, so that each caller answers in its own terms (an HTTP status,
// an import reject, a skipped frame).
enum class ImageRefusal {
  kNone,
  kFormatRefused,  // not PNG, JPEG, BMP, TIFF or WebP, or a variant of them outside the allow-list
  kTooLarge,       // over the pixel cap
  kTruncated,      // cut short, or smaller than its header's pixels could be encoded in
  kUndecodable,    // the header passed and the decoder still failed
};

struct UntrustedImage {
  cv::Mat image;                               // as cv::imdecode gives it; empty when refused
  ImageRefusal refusal = ImageRefusal::kNone;
  std::string format;                          // png, jpg, bmp, tiff, webp; empty when not one of them
  std::string reason;                          // one line when refused, e.g. "truncated png (the file ends before its end marker)"
};

// Probes `bytes`, refuses what the checks above refuse, then decodes with cv::imdecode
// `imread_flags` (IMREAD_LOAD_GDAL is a bug: throws kInternal). `max_megapixels`: the pixel cap,
// kDefaultMaxMegapixels unless the caller has its own (--max-megapixels). Never throws for bad bytes.
UntrustedImage try_decode_untrusted_image(std::span<const uint8_t> bytes, double max_megapixels, int imread_flags);

// The same, throwing Error(kInvalidArgument) for a refused image: one line naming `what` (the file
// or the request), the reason and the fix.
cv::Mat decode_untrusted_image(std::span<const uint8_t> bytes, double max_megapixels, int imread_flags, const std::string& what);

// The Error decode_untrusted_image throws for `refused`, for callers that use the try_ form and
// answer some refusals differently (HTTP 413 for kTooLarge).
Error untrusted_image_error(const UntrustedImage& refused, const std::string& what);

// `text` as the bytes of an image (an HTTP body, a file read into a string).
inline std::span<const uint8_t> encoded_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace edgeloop
