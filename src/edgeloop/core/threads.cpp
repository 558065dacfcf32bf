#include "edgeloop/core/threads.h"

#include <omp.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

namespace edgeloop {

int resolve_thread_count(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

void set_compute_threads(int requested) {
  const int threads = resolve_thread_count(requested);
  cv::setNumThreads(threads);
  const std::string value = std::to_string(threads);
  setenv("OMP_NUM_THREADS", value.c_str(), /*overwrite=*/1);
  setenv("OPENBLAS_NUM_THREADS", value.c_str(), /*overwrite=*/1);
}

void set_openmp_threads_of_this_thread(int threads) {
  thread_local int applied = 0;
  const int count = resolve_thread_count(threads);
  if (applied == count) return;
  omp_set_num_threads(count);
  applied = count;
}

}  // namespace edgeloop
