// Fuzz target: HTTP (PUT /v1/config) and MQTT (commands/config) bodies, through what the device
// does with them: parse_json_limited (both transports), merge into the monitor settings, answer
// with the merged settings as one JSON line (edge/edge_device.cpp run_command and http_handlers).
#include "edgeloop/core/input_limits.h"
#include "edgeloop/edge/edge_pipeline.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_only_edgeloop_errors([&] {
    const Json body = text.empty() ? Json::object() : parse_json_limited(text, "mqtt command config");
    const MonitorSettings merged = merge_monitor_settings(MonitorSettings{}, body);
    (void)json_line(to_json(merged));
  });
  return 0;
}
