#include "edgeloop/core/config.h"

#include <cmath>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "edgeloop/core/error.h"
#include "edgeloop/core/input_limits.h"

namespace edgeloop {

namespace {

struct YamlUnboundedNumber {
  std::string text;   // as written
};

Json scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted in the source: keep it a string
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  if (text == "null" || text == "~") return nullptr;
  size_t used = 0;
  try {
    const long long integer = std::stoll(text, &used);
    if (used == text.size()) return integer;
  } catch (const std::exception&) {
  }
  try {
    const double real = std::stod(text, &used);
    // "nan", "inf" and "infinity" are words here, not numbers (a number setting then refuses them).
    if (used == text.size() && std::isfinite(real)) {
      if (is_bounded_number(real)) return real;
      throw YamlUnboundedNumber{text};
    }
  } catch (const std::logic_error&) {   // not a number at all, or beyond a double (1e999): text
  }
  return text;
}

// Converts a parsed YAML tree, counting every value it emits: an alias is expanded each time it
// is used, so a small file of nested aliases (the "billion laughs") would otherwise grow without
// bound here. Throws a marker that yaml_to_json turns into one line.
struct YamlBudget {
  const InputLimits& limits;
  size_t values = 0;
};
struct YamlTooDeep {};
struct YamlTooLarge {};

Json node_to_json(const YAML::Node& node, YamlBudget& budget, int depth) {
  if (++budget.values > budget.limits.max_values) throw YamlTooLarge{};
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar: return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      if (depth >= budget.limits.max_depth) throw YamlTooDeep{};
      Json list = Json::array();
      for (const auto& item : node) list.push_back(node_to_json(item, budget, depth + 1));
      return list;
    }
    case YAML::NodeType::Map: {
      if (depth >= budget.limits.max_depth) throw YamlTooDeep{};
      Json object = Json::object();
      for (const auto& entry : node) {
        object[entry.first.as<std::string>()] = node_to_json(entry.second, budget, depth + 1);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace

Json yaml_to_json(const std::string& yaml_text, const std::string& source_name) {
  const InputLimits& limits = kDefaultInputLimits;
  check_input_size(yaml_text.size(), source_name, limits);
  const std::string too_deep =
      source_name + ": nested deeper than " + std::to_string(limits.max_depth) + " levels: flatten it";
  YamlBudget budget{limits};
  try {
    return node_to_json(YAML::Load(yaml_text), budget, 0);
  } catch (const YAML::DeepRecursion&) {
    throw invalid_argument(too_deep);
  } catch (const YamlTooDeep&) {
    throw invalid_argument(too_deep);
  } catch (const YamlUnboundedNumber& number) {
    throw invalid_argument(source_name + ": the number " + number.text +
                           " is out of range (a fraction or an exponent within ±2^31; larger whole numbers as plain digits): fix the value");
  } catch (const YamlTooLarge&) {
    throw invalid_argument(source_name + ": expands to more than " + std::to_string(limits.max_values) +
                           " values (aliases used over and over?): write the values out or shorten it");
  } catch (const YAML::Exception& error) {
    throw invalid_argument(source_name + ": not valid YAML at line " + std::to_string(error.mark.line + 1) + ": " +
                           error.msg);
  }
}

Json load_config_file(const std::filesystem::path& path) {
  return yaml_to_json(read_file_limited(path), path.string());
}

std::string canonical_json(const Json& value) { return value.dump(); }  // nlohmann sorts object keys

}  // namespace edgeloop
