// The one way numbers become text in messages, tables and reports: 0.8734 → "87.3%",
// (1.2345, 2) → "1.23", 0.000123 → "0.000123" (three significant digits). Thread-safe.
#pragma once

#include <string>

namespace edgeloop {

std::string format_percent(double fraction);               // one decimal, with "%"
std::string format_fixed(double value, int decimals);      // printf "%.*f"
std::string format_significant(double value);              // printf "%.3g"

}  // namespace edgeloop
