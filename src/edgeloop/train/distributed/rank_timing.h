// RankTiming: one rank's part of a data-parallel run, as the run's result reports it. A rank that
// waited long while the others worked sits on the faster machine (or the others are slower).
#pragma once

#include <cstdint>

namespace edgeloop {

struct RankTiming {
  int64_t images = 0;           // images it trained on
  double work_seconds = 0;      // loading, forward, backward, its optimizer step: all but the waits
  double wait_seconds = 0;      // blocked on the gradient sums after backward
};

}  // namespace edgeloop
