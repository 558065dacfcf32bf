// FramePacer: holds a source to a frame rate (--fps) by waiting on the Clock until each frame's
// due time; a late frame is not waited for and the schedule does not try to catch up. Used by
// the sources; one thread.
#pragma once

#include "edgeloop/edge/clock.h"

namespace edgeloop {

class FramePacer {
 public:
  FramePacer(Clock& clock, double fps) : clock_(clock), period_(fps > 0 ? 1.0 / fps : 0.0) {}
  void wait() {
    if (period_ <= 0) return;
    const double now = clock_.now_seconds();
    if (next_due_ > now) clock_.sleep_for_seconds(next_due_ - now);
    next_due_ = std::max(next_due_, now) + period_;
  }

 private:
  Clock& clock_;
  double period_;          // seconds per frame; 0 = unpaced
  double next_due_ = 0.0;  // Clock seconds
};

}  // namespace edgeloop
