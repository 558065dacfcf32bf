// One place that sets the thread count of every compute library edgeloop uses (OpenCV, OpenMP,
// OpenBLAS here; LibTorch in train/torch_threads.h; XNNPACK per engine), so `--threads` means
// the same everywhere. 0 means all cores.
#pragma once

namespace edgeloop {

int resolve_thread_count(int requested);   // 0 → hardware cores
void set_compute_threads(int requested);   // OpenCV and OpenMP; returns nothing, never throws

}  // namespace edgeloop
