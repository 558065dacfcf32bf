#include "edgeloop/core/input_limits.h"

#include <cmath>
#include <sstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr double kLargestBoundedNumber = 2147483648.0;   // 2^31: every int setting holds what is below

}  // namespace

bool is_bounded_number(double value) { return std::isfinite(value) && std::fabs(value) < kLargestBoundedNumber; }

std::string json_line(const Json& value) {
  return value.dump(/*indent=*/-1, /*indent_char=*/' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

int json_text_depth(std::string_view text, int stop_after) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char character : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (character == '\\') {
        escaped = true;
      } else if (character == '"') {
        in_string = false;
      }
      continue;
    }
    switch (character) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > deepest) deepest = depth;
        if (deepest > stop_after) return deepest;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return deepest;
}

void check_input_size(size_t bytes, const std::string& source_name, const InputLimits& limits) {
  if (bytes > limits.max_bytes) {
    throw invalid_argument(source_name + ": " + std::to_string(bytes) + " bytes, more than the " +
                           std::to_string(limits.max_bytes) + " accepted: shorten it");
  }
}

std::string read_file_limited(const std::filesystem::path& path, const InputLimits& limits) {
  std::error_code error;
  const auto bytes = std::filesystem::file_size(path, error);
  if (!error) check_input_size(static_cast<size_t>(bytes), path.string(), limits);
  return read_file(path);
}

Json load_json_file_limited(const std::filesystem::path& path, const InputLimits& limits) {
  return parse_json_limited(read_file_limited(path, limits), path.string(), limits);
}

Json parse_json_limited(std::string_view text, const std::string& source_name, const InputLimits& limits) {
  check_input_size(text.size(), source_name, limits);
  if (json_text_depth(text, limits.max_depth) > limits.max_depth) {
    throw invalid_argument(source_name + ": nested deeper than " + std::to_string(limits.max_depth) +
                           " levels: flatten it");
  }
  size_t values = 0;
  bool too_many = false;
  std::optional<double> unbounded;   // the first number is_bounded_number refuses
  const Json::parser_callback_t count_values = [&](int, Json::parse_event_t event, Json& value) {
    if (event == Json::parse_event_t::value || event == Json::parse_event_t::object_start ||
        event == Json::parse_event_t::array_start) {
      if (++values > limits.max_values) too_many = true;
    }
    if (event == Json::parse_event_t::value && value.is_number_float() && !unbounded &&
        !is_bounded_number(value.get<double>())) {
      unbounded = value.get<double>();
    }
    return !too_many && !unbounded;   // once over a limit, nothing more is kept
  };
  Json parsed;
  try {
    parsed = Json::parse(text.begin(), text.end(), count_values);
  } catch (const Json::exception& failure) {
    throw invalid_argument(source_name + ": not valid JSON (" + failure.what() + "): fix its syntax");
  }
  if (too_many) {
    throw invalid_argument(source_name + ": more than " + std::to_string(limits.max_values) +
                           " values: shorten it");
  }
  if (unbounded) {
    std::ostringstream number;
    number << *unbounded;
    throw invalid_argument(source_name + ": the number " + number.str() + " is out of range (a fraction or an exponent within ±2^31; larger whole numbers as plain digits): fix the value");
  }
  return parsed;
}

}  // namespace edgeloop
