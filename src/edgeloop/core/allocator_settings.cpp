#include "edgeloop/core/allocator_settings.h"

#include <malloc.h>

namespace edgeloop {

namespace {
constexpr int kMebibyte = 1 << 20;
// glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit systems; larger values are refused.
constexpr int kMmapThresholdBytes = 32 * kMebibyte;
constexpr int kTrimThresholdBytes = 256 * kMebibyte;
}  // namespace

bool keep_freed_memory_for_reuse() {
  // Setting either threshold also turns off glibc's adjustment of both.
  const bool mmap_set = ::mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes) == 1;
  const bool trim_set = ::mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes) == 1;
  return mmap_set && trim_set;
}

}  // namespace edgeloop
