// Fuzz target: the one path from outside image bytes to pixels — header probe, format allow-list,
// pixel cap, end marker and size plausibility, then OpenCV's decode — as the device's
// POST /v1/predict, its frame sources, the importers and the object store run it.
#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/image_probe.h"
#include "edgeloop/core/untrusted_image.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const UntrustedImage decoded = try_decode_untrusted_image(std::span<const uint8_t>(data, size), kDefaultMaxMegapixels,
                                                            cv::IMREAD_UNCHANGED);
  (void)decoded;  // a refusal is the expected answer to bad bytes; a crash, leak or UB is a bug
  return 0;
}
