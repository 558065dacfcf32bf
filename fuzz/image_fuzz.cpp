// Fuzz target: the importer's image path — header probe, pixel cap, then OpenCV decode — exactly as
// process_item runs it, on bytes in memory.
#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/image_probe.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const std::span<const uint8_t> bytes(data, size);
  const std::optional<ImageHeader> header = probe_image_header(bytes);
  if (!header || pixel_limit_violation(header->width, header->height, kDefaultMaxMegapixels) || !header->complete) return 0;
  try {
    const cv::Mat decoded = cv::imdecode(std::vector<uint8_t>(data, data + size), cv::IMREAD_UNCHANGED);
    (void)decoded;
  } catch (const cv::Exception&) {
    // the importer catches OpenCV's exception and rejects the file
  }
  return 0;
}
