#include "edgeloop/core/threads.h"

#include <omp.h>
#include <sched.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

namespace edgeloop {

// More than the cores is capped at the cores: `threads: 100000` would otherwise ask the thread
// pools for that many threads (and hang the device in pthreadpool_create). The cores are those this
// thread may run on (its affinity: a container's cpuset, taskset, a distributed rank's share), not
// every core online, which hardware_concurrency() counts: two threads on one allowed core take
// turns and wait on each other. One system call, no file read: engines resolve on every inference.
int resolve_thread_count(int requested) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  const int cores = sched_getaffinity(0, sizeof(allowed), &allowed) == 0
                        ? std::max(1, CPU_COUNT(&allowed))
                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (requested > 0) return std::min(requested, cores);
  return cores;
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

void set_compute_threads(int requested) {
  const int threads = resolve_thread_count(requested);
  cv::setNumThreads(threads);
  const std::string value = std::to_string(threads);
  setenv("OMP_NUM_THREADS", value.c_str(), /*overwrite=*/1);
  setenv("OPENBLAS_NUM_THREADS", value.c_str(), /*overwrite=*/1);
}

ScopedThreads::ScopedThreads(int requested, std::vector<ThreadSetting> others)
    : threads_(resolve_thread_count(requested)), previous_opencv_(cv::getNumThreads()), others_(std::move(others)) {
  cv::setNumThreads(threads_);
  for (const ThreadSetting& setting : others_) {
    previous_others_.push_back(setting.get());
    setting.set(threads_);
  }
}

ScopedThreads::~ScopedThreads() {
  cv::setNumThreads(previous_opencv_);
  for (size_t index = 0; index < others_.size(); ++index) others_[index].set(previous_others_[index]);
}

void set_openmp_threads_of_this_thread(int threads) {
  thread_local int applied = 0;
  const int count = resolve_thread_count(threads);
  if (applied == count) return;
  omp_set_num_threads(count);
  applied = count;
}

}  // namespace edgeloop
