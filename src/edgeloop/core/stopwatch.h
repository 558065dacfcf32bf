// seconds_since: the one duration helper, seconds (fractional) on the steady clock since `start`.
// Thread-safe.
#pragma once

#include <chrono>

namespace edgeloop {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace edgeloop
