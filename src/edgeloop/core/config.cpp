#include "edgeloop/core/config.h"

#include <yaml-cpp/yaml.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

Json scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted in the source: keep it a string
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  if (text == "null" || text == "~") return nullptr;
  try {
    size_t used = 0;
    long long integer = std::stoll(text, &used);
    if (used == text.size()) return integer;
    double real = std::stod(text, &used);
    if (used == text.size()) return real;
  } catch (const std::exception&) {
  }
  return text;
}

Json node_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar: return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      Json list = Json::array();
      for (const auto& item : node) list.push_back(node_to_json(item));
      return list;
    }
    case YAML::NodeType::Map: {
      Json object = Json::object();
      for (const auto& entry : node) object[entry.first.as<std::string>()] = node_to_json(entry.second);
      return object;
    }
  }
  return nullptr;
}

}  // namespace

Json yaml_to_json(const std::string& yaml_text, const std::string& source_name) {
  try {
    return node_to_json(YAML::Load(yaml_text));
  } catch (const YAML::Exception& error) {
    throw invalid_argument(source_name + ": not valid YAML at line " + std::to_string(error.mark.line + 1) + ": " +
                           error.msg);
  }
}

Json load_config_file(const std::filesystem::path& path) {
  return yaml_to_json(read_file(path), path.string());
}

std::string canonical_json(const Json& value) { return value.dump(); }  // nlohmann sorts object keys

}  // namespace edgeloop
