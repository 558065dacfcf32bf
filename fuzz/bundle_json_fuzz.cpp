// Fuzz target: bundle.json, loaded as the device and `bundle verify` load a bundle folder.
#include "edgeloop/bundle/bundle.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const auto path = fuzz::write_input("bundle/bundle.json", data, size);
  fuzz::expect_only_edgeloop_errors([&] { load_bundle(path.parent_path()); });
  return 0;
}
