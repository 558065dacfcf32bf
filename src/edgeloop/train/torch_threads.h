// Sets LibTorch's intra-op thread count (its default here is 1) together with OpenCV's and
// OpenMP's (core/threads.h), so --threads means the same in training. Call once per command.
#pragma once

namespace edgeloop {

// 0 = all cores. Returns the count set.
int set_torch_threads(int requested);

}  // namespace edgeloop
