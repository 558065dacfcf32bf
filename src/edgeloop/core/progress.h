// Progress reporting without printing: long operations take a ProgressCallback and call it with
// how far they are; the CLI draws the bar. Nothing below cli/ prints.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace edgeloop {

struct Progress {
  std::string stage;     // what is being done, e.g. "import", "epoch 3/10"
  int64_t done = 0;      // units finished
  int64_t total = 0;     // units in all; 0 when unknown
  std::string detail;    // e.g. "loss 0.41 acc 0.86 2100 img/s"
};

using ProgressCallback = std::function<void(const Progress&)>;

}  // namespace edgeloop
