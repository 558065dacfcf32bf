#include <gtest/gtest.h>

#include <string>

#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/input_limits.h"

namespace edgeloop {
namespace {

constexpr int kHostileDepth = 60000;

std::string nested_objects(int depth) {
  std::string text;
  for (int level = 0; level < depth; ++level) text += "{\"a\":";
  text += "1";
  text.append(static_cast<size_t>(depth), '}');
  return text;
}

// The error message, or "" when `parse` does not throw Error.
template <typename Parse>
std::string refusal(Parse parse) {
  try {
    parse();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

std::string billion_laughs() {
  std::string text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'i'; ++name) {
    text += std::string(1, name) + ": &" + name + " [";
    for (int copy = 0; copy < 9; ++copy) text += std::string(copy ? "," : "") + "*" + previous;
    text += "]\n";
    previous = name;
  }
  return text;
}

}  // namespace

TEST(InputLimits, json_nested_sixty_thousand_deep_is_refused_with_the_source_named) {
  const std::string message = refusal([] { parse_json_limited(nested_objects(kHostileDepth), "PUT /v1/config"); });
  EXPECT_NE(message.find("PUT /v1/config: nested deeper than 64 levels"), std::string::npos) << message;
  const std::string arrays = std::string(kHostileDepth, '[') + std::string(kHostileDepth, ']');
  EXPECT_NE(refusal([&] { parse_json_limited(arrays, "body"); }).find("nested deeper"), std::string::npos);
}

TEST(InputLimits, json_at_the_depth_limit_parses) {
  const Json value = parse_json_limited(nested_objects(kDefaultInputLimits.max_depth), "body");
  EXPECT_TRUE(value.contains("a"));
  EXPECT_NE(refusal([] { parse_json_limited(nested_objects(kDefaultInputLimits.max_depth + 1), "body"); }), "");
}

TEST(InputLimits, brackets_inside_strings_do_not_count_as_nesting) {
  const std::string text = "{\"text\": \"" + std::string(1000, '[') + "\\\"{{{\"}";
  EXPECT_EQ(parse_json_limited(text, "body")["text"].get<std::string>().size(), 1004u);
  EXPECT_EQ(json_text_depth(text, 64), 1);
}

TEST(InputLimits, json_larger_than_the_size_limit_is_refused_before_parsing) {
  InputLimits limits;
  limits.max_bytes = 100;
  const std::string message = refusal([&] { parse_json_limited("[" + std::string(200, ' ') + "]", "bundle.json", limits); });
  EXPECT_NE(message.find("bundle.json: 202 bytes, more than the 100 accepted"), std::string::npos) << message;
}

TEST(InputLimits, json_with_too_many_values_is_refused) {
  InputLimits limits;
  limits.max_values = 10;
  EXPECT_NE(refusal([&] { parse_json_limited("[1,2,3,4,5,6,7,8,9,10,11,12]", "body", limits); }).find("more than 10 values"),
            std::string::npos);
  EXPECT_EQ(parse_json_limited("[1,2,3]", "body", limits).size(), 3u);
}

TEST(InputLimits, json_syntax_error_names_the_source) {
  const std::string message = refusal([] { parse_json_limited("\x89PNG garbage", "bundle.json"); });
  EXPECT_EQ(message.rfind("bundle.json: not valid JSON", 0), 0u) << message;
}

TEST(InputLimits, yaml_billion_laughs_is_refused_without_expanding) {
  const std::string message = refusal([] { yaml_to_json(billion_laughs(), "edge.yaml"); });
  EXPECT_NE(message.find("edge.yaml: expands to more than"), std::string::npos) << message;
}

TEST(InputLimits, yaml_nested_deeper_than_the_limit_is_refused) {
  std::string block;
  for (int level = 0; level < 100; ++level) block += std::string(static_cast<size_t>(level), ' ') + "k:\n";
  EXPECT_NE(refusal([&] { yaml_to_json(block, "edge.yaml"); }).find("edge.yaml: nested deeper than 64"), std::string::npos);
  const std::string flow = std::string(kHostileDepth, '[') + std::string(kHostileDepth, ']');
  EXPECT_NE(refusal([&] { yaml_to_json(flow, "edge.yaml"); }).find("edge.yaml: nested deeper"), std::string::npos);
}

// UBSan (the fuzz build) flags nlohmann's get<int>() of 1e300 as undefined behaviour, and
// PUT /v1/config, the MQTT config topic, bundle.json and YAML configs read such numbers into ints.
TEST(InputLimits, json_number_no_integer_setting_could_hold_is_refused_naming_the_source) {
  const std::string message = refusal([] { parse_json_limited(R"({"drift": {"window_frames": 1e300}})", "PUT /v1/config body"); });
  EXPECT_NE(message.find("PUT /v1/config body: the number 1e+300 is out of range"), std::string::npos) << message;
  EXPECT_NE(refusal([] { parse_json_limited("[3000000000.5]", "body"); }), "");
  EXPECT_NE(refusal([] { parse_json_limited("[-1e19]", "body"); }), "");
  EXPECT_NE(refusal([] { parse_json_limited("[1e10]", "body"); }), "");
  const Json kept = parse_json_limited(R"({"whole": 10000000000, "fraction": 2.5, "negative": -7.25, "integer": 12})", "body");
  EXPECT_EQ(kept["whole"].get<int64_t>(), 10000000000);
  EXPECT_DOUBLE_EQ(kept["fraction"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(kept["negative"].get<double>(), -7.25);
  EXPECT_EQ(kept["integer"].get<int>(), 12);
}

TEST(InputLimits, yaml_number_no_integer_setting_could_hold_is_refused_and_nan_stays_a_word) {
  const std::string message = refusal([] { yaml_to_json("drift:\n  window_frames: 1e300\n", "edge.yaml"); });
  EXPECT_NE(message.find("edge.yaml: the number 1e300 is out of range"), std::string::npos) << message;
  EXPECT_NE(refusal([] { yaml_to_json("seed: 99999999999999999999\n", "edge.yaml"); }), "");
  EXPECT_NE(refusal([] { yaml_to_json("max_bytes: 1e10\n", "edge.yaml"); }), "");
  const Json kept = yaml_to_json("max_bytes: 10000000000\nrate: 0.5\nlabel: nan\nother: inf\nhuge: 1e999\n", "edge.yaml");
  EXPECT_EQ(kept["max_bytes"].get<int64_t>(), 10000000000);
  EXPECT_DOUBLE_EQ(kept["rate"].get<double>(), 0.5);
  EXPECT_EQ(kept["label"], "nan");
  EXPECT_EQ(kept["other"], "inf");
  EXPECT_EQ(kept["huge"], "1e999");
}

}  // namespace edgeloop
