// Fuzz target: IDX images and labels files (raw or gzipped), read as the IDX importer reads them.
#include "edgeloop/data/idx_file.h"
#include "edgeloop/core/image_probe.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const auto path = fuzz::write_input("train-images-idx3-ubyte", data, size);
  fuzz::expect_only_edgeloop_errors([&] { read_idx_images(path, kDefaultMaxMegapixels); });
  fuzz::expect_only_edgeloop_errors([&] { read_idx_labels(path); });
  return 0;
}
