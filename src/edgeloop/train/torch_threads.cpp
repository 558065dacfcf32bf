#include "edgeloop/train/torch_threads.h"

#include <torch/torch.h>

#include "edgeloop/core/threads.h"

namespace edgeloop {

int set_torch_threads(int requested) {
  const int threads = resolve_thread_count(requested);
  set_compute_threads(threads);
  torch::set_num_threads(threads);
  return threads;
}

ThreadSetting torch_thread_setting() {
  return ThreadSetting{[] { return static_cast<int>(torch::get_num_threads()); },
                       [](int threads) { torch::set_num_threads(threads); }};
}

}  // namespace edgeloop
