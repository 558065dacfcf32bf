// Fuzz target: the device's YAML config file, read as edgeloop-edge reads `--config`: YAML to JSON,
// then the typed options (every key checked).
#include "edgeloop/core/config.h"
#include "edgeloop/edge/edge_options.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const auto path = fuzz::write_input("edge.yaml", data, size);
  fuzz::expect_only_edgeloop_errors([&] { edge_options_from_json(load_config_file(path)); });
  return 0;
}
