// Fuzz target: CSV manifests (`path,label` rows), read as `data import --format csv` reads them.
#include "edgeloop/data/import_source.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const auto path = fuzz::write_input("csv/manifest.csv", data, size);
  fuzz::expect_only_edgeloop_errors([&] { read_csv_source(path); });
  return 0;
}
