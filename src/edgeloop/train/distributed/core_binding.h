// Core binding: each rank of a job that shares a machine with other ranks (LOCAL_WORLD_SIZE > 1, as
// `torchrun --nproc-per-node N` sets it) takes its own even, contiguous share of the cores the
// process was given, and its thread counts follow (core/threads.h counts the allowed cores).
// Unbound, every rank of the default `--threads` ran one thread per core of the whole machine: two
// cnn-ref ranks on a 2-core VM trained at 1395-2060 images/s, bound at 3545-3728. Linux affinity;
// LibTorch-free.
#pragma once

#include <vector>

#include "edgeloop/train/distributed/launch_environment.h"

namespace edgeloop {

// The CPUs of `allowed` (in order) that local rank `local_rank` of `local_world_size` takes: an
// even, contiguous share, the remainder going to the first ranks. Empty when there are fewer
// CPUs than local ranks, or local_world_size < 2: such a rank stays unbound.
std::vector<int> local_rank_cpus(const std::vector<int>& allowed, int local_rank, int local_world_size);

// Binds the calling thread, and so every thread it starts from now on, to its local rank's share
// (LOCAL_RANK of LOCAL_WORLD_SIZE) of the CPUs it may run on (core/threads.h allowed_cpus); returns them, empty when it did not
// bind. Call before the job's threads start (process group, batch loaders, OpenMP's pool).
std::vector<int> bind_to_local_rank_cpus(const LaunchEnvironment& environment);

}  // namespace edgeloop
