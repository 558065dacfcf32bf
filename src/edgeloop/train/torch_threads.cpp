#include "edgeloop/train/torch_threads.h"

#include <dlfcn.h>
#include <torch/torch.h>

#include "edgeloop/core/threads.h"

namespace edgeloop {

namespace {

// LibTorch's CPU build calls BLAS for linear layers (Debian: OpenBLAS when libopenblas0-pthread
// provides libblas.so.3). OpenBLAS keeps its own thread pool, sized to the machine, which
// torch::set_num_threads leaves alone: `--threads 1` still ran every matrix product on all cores,
// and two one-thread ranks on two cores fought over four busy-waiting threads. Looked up at run
// time because which BLAS libblas.so.3 is depends on the machine's alternatives.
void set_blas_threads(int threads) {
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
}

}  // namespace

int set_torch_threads(int requested) {
  const int threads = resolve_thread_count(requested);
  set_compute_threads(threads);
  torch::set_num_threads(threads);
  set_blas_threads(threads);
  return threads;
}

ThreadSetting torch_thread_setting() {
  return ThreadSetting{[] { return static_cast<int>(torch::get_num_threads()); },
                       [](int threads) {
                         torch::set_num_threads(threads);
                         set_blas_threads(threads);   // as set_torch_threads: a linear layer's product is BLAS's
                       }};
}

}  // namespace edgeloop
