#include <gtest/gtest.h>

#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"

namespace edgeloop {

TEST(Config, yaml_scalars_become_typed_json) {
  Json value = yaml_to_json("epochs: 10\nlr: 0.001\nname: cnn-s\nflag: true\nquoted: '12'\nlist: [1, 2]\n", "t.yaml");
  EXPECT_EQ(value["epochs"], 10);
  EXPECT_DOUBLE_EQ(value["lr"].get<double>(), 0.001);
  EXPECT_EQ(value["name"], "cnn-s");
  EXPECT_EQ(value["flag"], true);
  EXPECT_EQ(value["quoted"], "12");
  EXPECT_EQ(value["list"].size(), 2u);
}

TEST(Config, syntax_error_names_the_file_and_line) {
  try {
    yaml_to_json("a: 1\nb: [unclosed\n", "train.yaml");
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("train.yaml"), std::string::npos);
  }
}

TEST(Config, canonical_json_is_independent_of_key_order) {
  EXPECT_EQ(canonical_json(Json::parse(R"({"b":1,"a":2})")), canonical_json(Json::parse(R"({"a":2,"b":1})")));
}

}  // namespace edgeloop
