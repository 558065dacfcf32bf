// One place that sets the thread count of every compute library edgeloop uses (OpenCV, OpenMP,
// OpenBLAS here; LibTorch in train/torch_threads.h; XNNPACK per engine), so `--threads` means
// the same everywhere. 0 means all cores.
#pragma once

namespace edgeloop {

int resolve_thread_count(int requested);   // 0 → hardware cores
void set_compute_threads(int requested);   // OpenCV and OpenMP; returns nothing, never throws
// OpenMP's thread count for parallel regions the calling thread starts (oneDNN runs on them; the
// OMP_NUM_THREADS that set_compute_threads writes is read only at OpenMP's start). Per thread in
// OpenMP, so an engine calls it on the thread that runs it; a repeat call with the same count is free.
void set_openmp_threads_of_this_thread(int threads);

}  // namespace edgeloop
