#include "edgeloop/edge/clock.h"

#include <chrono>
#include <thread>

namespace edgeloop {

double SystemClock::now_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t SystemClock::wall_milliseconds() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SystemClock::sleep_for_seconds(double seconds) {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

}  // namespace edgeloop
