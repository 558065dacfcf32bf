#include "edgeloop/core/untrusted_image.h"

#include <limits>
#include <optional>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/image_probe.h"

namespace edgeloop {

namespace {

UntrustedImage refused(ImageRefusal refusal, std::string format, std::string reason) {
  return UntrustedImage{cv::Mat(), refusal, std::move(format), std::move(reason)};
}

// The checks that run on the header alone, before anything is allocated; nullopt when they pass.
std::optional<UntrustedImage> refusal_from_header(const std::optional<ImageHeader>& header, size_t file_bytes,
                                                  double max_megapixels) {
  if (!header) return refused(ImageRefusal::kFormatRefused, "", "not an image (no PNG, JPEG, BMP, TIFF or WebP header)");
  if (!header->refused_variant.empty()) {
    return refused(ImageRefusal::kFormatRefused, header->format, header->refused_variant + " is not accepted");
  }
  if (std::optional<std::string> too_large = pixel_limit_violation(header->width, header->height, max_megapixels)) {
    return refused(ImageRefusal::kTooLarge, header->format, *too_large);
  }
  if (header->block_width > 0) {
    if (std::optional<std::string> too_large = pixel_limit_violation(header->block_width, header->block_height, max_megapixels)) {
      return refused(ImageRefusal::kTooLarge, header->format, "its strip or tile, which the decoder allocates whole: " + *too_large);
    }
  }
  if (!header->complete) {
    return refused(ImageRefusal::kTruncated, header->format, "truncated " + header->format + " (the file ends before its end marker)");
  }
  if (static_cast<int64_t>(file_bytes) < header->minimum_file_bytes) {
    return refused(ImageRefusal::kTruncated, header->format,
                   "truncated or corrupt " + header->format + " (its header declares " + std::to_string(header->width) + "x" +
                       std::to_string(header->height) + ", which takes at least " + std::to_string(header->minimum_file_bytes) +
                       " bytes; the file has " + std::to_string(file_bytes) + ")");
  }
  return std::nullopt;
}

std::string fix_for(ImageRefusal refusal) {
  switch (refusal) {
    case ImageRefusal::kFormatRefused: return "send or convert it to PNG, JPEG, BMP, TIFF or WebP";
    case ImageRefusal::kTooLarge: return "resize it below the limit";
    case ImageRefusal::kTruncated: return "the file was cut short or altered: copy it again";
    default: return "the file is damaged: copy it again or re-encode it as PNG";
  }
}

}  // namespace

UntrustedImage try_decode_untrusted_image(std::span<const uint8_t> bytes, double max_megapixels, int imread_flags) {
  if (imread_flags != cv::IMREAD_UNCHANGED && (imread_flags & cv::IMREAD_LOAD_GDAL) != 0) {
    throw internal_error("decode_untrusted_image: IMREAD_LOAD_GDAL would hand untrusted bytes to GDAL's every driver");
  }
  // cv::imdecode takes the buffer as a Mat of int columns.
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return refused(ImageRefusal::kTooLarge, "", "the file is " + std::to_string(bytes.size()) + " bytes, over OpenCV's 2 GiB");
  }
  const std::optional<ImageHeader> header = probe_image_header(bytes);
  if (std::optional<UntrustedImage> refusal = refusal_from_header(header, bytes.size(), max_megapixels)) return *refusal;
  UntrustedImage decoded;
  decoded.format = header->format;
  try {
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<uint8_t*>(bytes.data()));
    decoded.image = cv::imdecode(buffer, imread_flags);
  } catch (const std::exception&) {  // cv::Exception, or an allocation the decoder could not make
    decoded.image.release();
  }
  if (decoded.image.empty()) return refused(ImageRefusal::kUndecodable, header->format, "corrupt " + header->format + " (it does not decode)");
  return decoded;
}

Error untrusted_image_error(const UntrustedImage& refused, const std::string& what) {
  return invalid_argument(what + ": " + refused.reason + ": " + fix_for(refused.refusal));
}

cv::Mat decode_untrusted_image(std::span<const uint8_t> bytes, double max_megapixels, int imread_flags, const std::string& what) {
  UntrustedImage decoded = try_decode_untrusted_image(bytes, max_megapixels, imread_flags);
  if (decoded.refusal != ImageRefusal::kNone) throw untrusted_image_error(decoded, what);
  return std::move(decoded.image);
}

}  // namespace edgeloop
