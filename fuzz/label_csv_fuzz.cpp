// Fuzz target: the CSV of `edgeloop label --from-csv` (image,label rows), read as
// LabellingSession::apply_csv reads it before checking rows against the version.
#include "edgeloop/label/label_csv.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const auto path = fuzz::write_input("labels.csv", data, size);
  fuzz::expect_only_edgeloop_errors([&] { read_label_csv(path); });
  return 0;
}
