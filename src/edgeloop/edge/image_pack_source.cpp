#include "edgeloop/edge/image_pack_source.h"

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/core/image_probe.h"
#include "edgeloop/core/untrusted_image.h"

namespace edgeloop {
namespace {

// As stored: 8-bit gray, BGR or BGRA (the object store's decode).
constexpr int kDecodeAsStored = cv::IMREAD_UNCHANGED;

}  // namespace

ImagePackSource::ImagePackSource(const std::filesystem::path& file, const SourceOptions& options, Clock& clock)
    : file_(file), pack_(ImagePack::open(file)), options_(options), clock_(clock), pacer_(clock, options.fps) {
  if (pack_.size() == 0) {
    throw not_found("source sim:" + file.string() + ": the image pack (" + pack_.source() +
                    ") holds no image: export a split that has images");
  }
}

ReadResult ImagePackSource::read() {
  if (stop_requested()) return {};
  if (next_image_ >= pack_.size()) {
    if (!options_.loop) return {};
    next_image_ = 0;
  }
  const size_t image = next_image_++;
  pacer_.wait();
  ReadResult result;
  UntrustedImage decoded = try_decode_untrusted_image(encoded_bytes(pack_.image(image)), kDefaultMaxMegapixels, kDecodeAsStored);
  if (decoded.refusal != ImageRefusal::kNone) {
    result.status = ReadStatus::kSkipped;
    result.detail = file_.string() + " image " + std::to_string(image) + " is refused: " + decoded.reason;
    return result;
  }
  result.frame.image = std::move(decoded.image);
  result.status = ReadStatus::kFrame;
  result.frame.index = next_index_++;
  result.frame.truth = pack_.truth(image);
  result.frame.item = static_cast<int64_t>(image);
  result.frame.capture_seconds = clock_.now_seconds();
  result.frame.wall_milliseconds = clock_.wall_milliseconds();
  return result;
}

std::string ImagePackSource::description() const {
  return "image pack " + file_.string() + " of " + pack_.source() + " (" + std::to_string(pack_.size()) + " images" +
         (options_.loop ? ", looping" : "") + ")";
}

}  // namespace edgeloop
