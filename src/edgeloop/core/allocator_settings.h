// The toolkit's malloc settings: freed memory stays with the process for the next step instead of
// going back to the kernel. glibc moves its mmap and trim thresholds with what a process has freed,
// so two processes running the same training could differ: in a 2-rank cnn-m:w=0.5 run, rank 0
// took 150,000 page faults a second (rank 1: none) and trained 30% slower. Process-wide; call
// once at the start of main(), before the work starts. Not for the device, whose memory is small.
#pragma once

namespace edgeloop {

// Blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap, and the heap is given
// back to the kernel only when more than 256 MiB at its top is free. False when glibc refused.
bool keep_freed_memory_for_reuse();

}  // namespace edgeloop
