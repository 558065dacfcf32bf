// Sets LibTorch's intra-op thread count (its default here is 1) together with OpenCV's, OpenMP's
// (core/threads.h) and OpenBLAS's when it is the BLAS loaded, so --threads means the same in
// training. Call once per command.
#pragma once

#include "edgeloop/core/threads.h"

namespace edgeloop {

// 0 = all cores. Returns the count set.
int set_torch_threads(int requested);

// LibTorch's intra-op count (and OpenBLAS's with it) for core's ScopedThreads:
// ScopedThreads guard(1, {torch_thread_setting()}).
ThreadSetting torch_thread_setting();

}  // namespace edgeloop
