// Configuration files: YAML (what people write) read into JSON (what edgeloop stores and hashes),
// so that every options struct has one parser: from_json. Thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace edgeloop {

using Json = nlohmann::json;

// Parses YAML text (JSON is YAML too). Throws Error(kInvalidArgument) naming `source_name` and
// the line on a syntax error. Scalars become numbers or booleans when they read as such.
Json yaml_to_json(const std::string& yaml_text, const std::string& source_name);
Json load_config_file(const std::filesystem::path& path);

// The canonical text of a JSON value (sorted keys, no spaces): what is hashed.
std::string canonical_json(const Json& value);

}  // namespace edgeloop
