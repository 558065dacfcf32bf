// keep_freed_memory_for_reuse: a training step's large blocks, freed and allocated again, come back
// from the process's heap instead of fresh pages from the kernel.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "edgeloop/core/allocator_settings.h"

namespace edgeloop {
namespace {

long minor_page_faults() {
  rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Page faults over 4 steps (after one to warm up) that each allocate, fill and free three 30 MiB
// blocks, the shape of a training step's activations; measured in a forked child, whose malloc
// settings the test may change. -1 when the child failed.
long faults_of_repeated_large_blocks(bool keep_freed_memory) {
  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) return -1;
  const pid_t child = ::fork();
  if (child == 0) {
    if (keep_freed_memory && !keep_freed_memory_for_reuse()) ::_exit(1);
    constexpr size_t kBlockBytes = size_t{30} << 20;
    long faults_before = 0;
    for (int step = 0; step < 5; ++step) {
      if (step == 1) faults_before = minor_page_faults();
      void* blocks[3];
      for (void*& block : blocks) {
        block = std::malloc(kBlockBytes);
        if (block == nullptr) ::_exit(1);
        std::memset(block, step, kBlockBytes);
      }
      for (void* block : blocks) std::free(block);
    }
    const long faults = minor_page_faults() - faults_before;
    const bool written = ::write(pipe_ends[1], &faults, sizeof(faults)) == sizeof(faults);
    ::_exit(written ? 0 : 1);
  }
  ::close(pipe_ends[1]);
  long faults = -1;
  if (::read(pipe_ends[0], &faults, sizeof(faults)) != sizeof(faults)) faults = -1;
  ::close(pipe_ends[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? faults : -1;
}

TEST(AllocatorSettings, large_blocks_freed_and_allocated_again_reuse_the_heap_instead_of_faulting_in_fresh_pages) {
  constexpr long kPagesPerStep = 3 * (30L << 20) / 4096;   // 23,040
  // glibc's defaults give the 90 MiB back to the kernel (or unmap each block) after every step,
  // and every step faults its pages in again.
  const long with_defaults = faults_of_repeated_large_blocks(/*keep_freed_memory=*/false);
  ASSERT_GE(with_defaults, 0);
  EXPECT_GT(with_defaults, kPagesPerStep) << "glibc's defaults no longer fault here; the check below proves nothing";
  const long kept = faults_of_repeated_large_blocks(/*keep_freed_memory=*/true);
  ASSERT_GE(kept, 0);
  EXPECT_LT(kept, kPagesPerStep / 10);
}

}  // namespace
}  // namespace edgeloop
