// The one place that sets the thread count of every compute library edgeloop uses, so `--threads`
// means the same everywhere. 0 means all cores. OpenCV's and LibTorch's counts are process-wide:
// a command sets them once (set_compute_threads), and a step that needs another count for a while
// (an import, the sweep's one-thread latency, a benchmark row) holds a ScopedThreads, which puts
// the previous counts back when it ends. Engines never change them per inference. XNNPACK's
// pthreadpool is per engine (EngineOptions::threads), and so is
// OpenMP's count for oneDNN (per thread in OpenMP, set_openmp_threads_of_this_thread). Not thread-safe: set from the command's thread.
#pragma once

#include <functional>
#include <vector>

namespace edgeloop {

int resolve_thread_count(int requested);   // 0 → the cores this thread may run on (its affinity)
std::vector<int> allowed_cpus();           // those CPUs, by number (empty if they cannot be read)
void set_compute_threads(int requested);   // OpenCV and OpenMP/OpenBLAS (environment); never throws

// A process-wide thread count besides OpenCV's: LibTorch's (train/torch_threads.h
// torch_thread_setting) is the one there is; core does not link LibTorch, so it comes in here.
struct ThreadSetting {
  std::function<int()> get;
  std::function<void(int)> set;
};

// Sets OpenCV's thread count (and each `others`) to `requested` for its lifetime, then restores
// the counts it found.
class ScopedThreads {
 public:
  explicit ScopedThreads(int requested, std::vector<ThreadSetting> others = {});
  ~ScopedThreads();
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;
  int threads() const { return threads_; }

 private:
  int threads_ = 1;
  int previous_opencv_ = 1;
  std::vector<ThreadSetting> others_;
  std::vector<int> previous_others_;
};

// OpenMP's thread count for parallel regions the calling thread starts (oneDNN runs on them; the
// OMP_NUM_THREADS that set_compute_threads writes is read only at OpenMP's start). Per thread in
// OpenMP, so an engine calls it on the thread that runs it; a repeat call with the same count is free.
void set_openmp_threads_of_this_thread(int threads);

}  // namespace edgeloop
