#include "edgeloop/core/number_format.h"

#include <cstdio>

namespace edgeloop {
namespace {

constexpr double kPercent = 100.0;
constexpr size_t kNumberTextSize = 64;

}  // namespace

std::string format_percent(double fraction) { return format_fixed(fraction * kPercent, 1) + "%"; }

std::string format_fixed(double value, int decimals) {
  char text[kNumberTextSize];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string format_significant(double value) {
  char text[kNumberTextSize];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

}  // namespace edgeloop
