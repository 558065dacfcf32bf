// Fuzz target: preprocessing specs (YAML or JSON), read as `train --preprocess` and bundles read them.
#include "edgeloop/preprocess/pipeline.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const auto path = fuzz::write_input("preprocess.yaml", data, size);
  fuzz::expect_only_edgeloop_errors([&] { Pipeline::from_file(path); });
  return 0;
}
