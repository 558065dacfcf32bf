// InputLimits: the one limit policy for structured text that comes from outside the process
// (HTTP and MQTT bodies, bundle.json, YAML configs, preprocessing specs, capture sidecars).
// Size, nesting depth and the number of values (which bounds YAML alias expansion, the
// "billion laughs") are checked before anything recursive runs, so hostile input is refused
// with one line naming its source instead of overflowing the stack or exhausting memory.
// Numbers are bounded too (is_bounded_number): nlohmann's get<int>() of 1e300 is undefined
// behaviour, so no float that no integer setting could hold gets past the parser.
// Every parser of outside JSON or YAML goes through parse_json_limited or yaml_to_json
// (core/config.h; YAML configs and preprocessing spec files), which apply these limits. Plain values; the functions are thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct InputLimits {
  size_t max_bytes = 16u << 20;      // largest text accepted (bytes)
  int max_depth = 64;                // deepest nesting of objects and arrays (the top value is depth 1)
  size_t max_values = 1u << 20;      // most values (scalars, arrays, objects) after YAML aliases expand
};

// The limits every outside parser uses unless its caller has a reason for tighter ones.
constexpr InputLimits kDefaultInputLimits{};

// Parses JSON text from outside. Throws Error(kInvalidArgument) with one line naming
// `source_name` when the text is larger than limits.max_bytes, nests deeper than
// limits.max_depth, holds more than limits.max_values values, or is not JSON. The depth is
// measured by a scan of the text before the parser runs.
Json parse_json_limited(std::string_view text, const std::string& source_name,
                        const InputLimits& limits = kDefaultInputLimits);

// Reads and parses a JSON file from outside: its size is checked before it is read. Throws
// Error(kInvalidArgument) naming the file, as parse_json_limited does.
Json load_json_file_limited(const std::filesystem::path& path, const InputLimits& limits = kDefaultInputLimits);

// Reads a file from outside, refusing it (Error(kInvalidArgument)) before reading when it is
// larger than limits.max_bytes.
std::string read_file_limited(const std::filesystem::path& path, const InputLimits& limits = kDefaultInputLimits);

// Throws Error(kInvalidArgument) naming `source_name` when `bytes` is above limits.max_bytes.
void check_input_size(size_t bytes, const std::string& source_name, const InputLimits& limits = kDefaultInputLimits);

// The number policy for outside input, applied by parse_json_limited and yaml_to_json to every
// number written with a fraction or an exponent: true when it is finite and within ±2^31, so any
// setting, int or double, reads it without undefined behaviour. Anything else (1e300, 3e9,
// infinite) is refused by the caller naming the source; a whole number that large is written
// without a fraction or an exponent (10000000000 is an integer and stays one). Not rewritten in
// place: bundle.json's hash covers the numbers as written.
bool is_bounded_number(double value);

// One line of JSON text for a message or a reply. Invalid UTF-8 in a string (outside bytes echoed
// in an error message) becomes U+FFFD instead of throwing.
std::string json_line(const Json& value);

// The nesting depth of JSON text (brackets outside strings), scanning no further than the first
// point deeper than `stop_after` (returned as stop_after + 1). Used by parse_json_limited.
int json_text_depth(std::string_view text, int stop_after);

}  // namespace edgeloop
