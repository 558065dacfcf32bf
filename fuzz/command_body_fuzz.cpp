// Fuzz target: HTTP (PUT /v1/config) and MQTT (commands/config) bodies, through what the device
// does with them: parse the JSON text, then merge it into the monitor settings.
#include "edgeloop/edge/edge_pipeline.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const Json body = Json::parse(data, data + size, /*callback=*/nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;  // the device answers 400 "the request body is not JSON"
  fuzz::expect_only_edgeloop_errors([&] { merge_monitor_settings(MonitorSettings{}, body); });
  return 0;
}
