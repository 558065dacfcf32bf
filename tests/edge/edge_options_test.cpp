#include <gtest/gtest.h>

#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"
#include "edgeloop/edge/edge_options.h"

namespace edgeloop {
namespace {

TEST(EdgeOptions, yaml_fills_the_options_and_environment_variables_override_it) {
  Json config = yaml_to_json(
      "bundle: /b\nsource: /images\nhttp:\n  port: 9000\nmqtt:\n  broker: tcp://cloud:1883\ndrift:\n  window_frames: 300\n",
      "edge.yaml");
  std::map<std::string, std::string> environment{{"EDGELOOP_HTTP_PORT", "9100"},
                                                 {"EDGELOOP_MQTT_BROKER", "ssl://other:8883"},
                                                 {"EDGELOOP_DEVICE_ID", "cam-7"}};
  apply_environment_overrides(config, [&](const std::string& name) -> std::optional<std::string> {
    auto found = environment.find(name);
    return found == environment.end() ? std::nullopt : std::optional<std::string>(found->second);
  });
  EdgeOptions options = edge_options_from_json(config);
  EXPECT_EQ(options.bundle, "/b");
  EXPECT_EQ(options.http.port, 9100);
  EXPECT_EQ(options.mqtt.broker, "ssl://other:8883");
  EXPECT_EQ(options.device_id, "cam-7");
  EXPECT_EQ(options.pipeline.settings.drift.window_frames, 300);
}

TEST(EdgeOptions, a_wrong_type_names_the_key) {
  try {
    edge_options_from_json(Json{{"http", {{"port", "eighty"}}}});
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("http.port"), std::string::npos) << error.what();
  }
  EXPECT_THROW(edge_options_from_json(Json{{"mqtt", {{"qos", 3}}}}), Error);
}

// A wrong-typed value is quoted in the message; YAML lets a quoted string hold bytes that are not
// UTF-8, which nlohmann's dump() throws on (type_error: "internal error" instead of one line).
// Found by fuzz/edge_config_fuzz (corpus: fuzz/corpus/edge_config_fuzz/qos-not-utf8.yaml).
TEST(EdgeOptions, a_wrong_type_that_is_not_utf8_is_refused_naming_the_key) {
  try {
    edge_options_from_json(yaml_to_json("mqtt:\n  qos: '1\xc0\xc0'\n", "edge.yaml"));
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("mqtt.qos has the wrong type"), std::string::npos) << error.what();
  }
}

// nlohmann's get<size_t>() or get<unsigned>() of -1.5 is undefined behaviour (UBSan, the fuzz build):
// a negative count or seed in edge.yaml, PUT /v1/config or the MQTT config topic is refused first.
TEST(EdgeOptions, a_negative_count_or_seed_is_refused_naming_the_key) {
  try {
    edge_options_from_json(yaml_to_json("pipeline:\n  queue_capacity: -1.5\n", "edge.yaml"));
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("pipeline.queue_capacity must be 0 or more"), std::string::npos) << error.what();
  }
  try {
    edge_options_from_json(Json{{"capture", {{"seed", -1.5}}}});
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("capture settings: seed must be 0 or more"), std::string::npos) << error.what();
  }
  EXPECT_EQ(edge_options_from_json(Json{{"capture", {{"seed", 7}}}}).pipeline.settings.capture.seed, 7u);
}

}  // namespace
}  // namespace edgeloop
