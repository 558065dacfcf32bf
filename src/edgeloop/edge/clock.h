// Clock: the seam through which edge/ reads time and waits, so tests can run paced sources,
// reconnect backoff and fps checks without sleeping. SystemClock is the real one; ManualClock
// (tests) advances only when told or when asked to sleep. Both are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace edgeloop {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual double now_seconds() const = 0;            // monotonic, seconds since an arbitrary origin
  virtual int64_t wall_milliseconds() const = 0;     // Unix time, milliseconds (for the "ts" field)
  virtual void sleep_for_seconds(double seconds) = 0;
};

class SystemClock : public Clock {
 public:
  double now_seconds() const override;
  int64_t wall_milliseconds() const override;
  void sleep_for_seconds(double seconds) override;
};

// Starts at 0 (wall time at kManualClockEpochMilliseconds); sleeping advances it instantly.
class ManualClock : public Clock {
 public:
  static constexpr int64_t kManualClockEpochMilliseconds = 1'700'000'000'000;
  double now_seconds() const override { return microseconds_.load() / 1e6; }
  int64_t wall_milliseconds() const override { return kManualClockEpochMilliseconds + microseconds_.load() / 1000; }
  void sleep_for_seconds(double seconds) override { advance(seconds); }
  void advance(double seconds) { microseconds_ += static_cast<int64_t>(seconds * 1e6); }

 private:
  std::atomic<int64_t> microseconds_{0};
};

// The process-wide real clock.
Clock& system_clock();

}  // namespace edgeloop
