#include "edgeloop/train/distributed/core_binding.h"

#include <sched.h>

#include <algorithm>

#include "edgeloop/core/threads.h"

namespace edgeloop {

std::vector<int> local_rank_cpus(const std::vector<int>& allowed, int local_rank, int local_world_size) {
  const int count = static_cast<int>(allowed.size());
  if (local_world_size < 2 || local_rank < 0 || local_rank >= local_world_size || count < local_world_size) return {};
  const int share = count / local_world_size, extra = count % local_world_size;
  const int begin = local_rank * share + std::min(local_rank, extra);
  const int size = share + (local_rank < extra ? 1 : 0);
  return std::vector<int>(allowed.begin() + begin, allowed.begin() + begin + size);
}

std::vector<int> bind_to_local_rank_cpus(const LaunchEnvironment& environment) {
  const std::vector<int> cpus = local_rank_cpus(allowed_cpus(), environment.local_rank, environment.local_world_size);
  if (cpus.empty()) return cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) return {};   // not allowed here: run unbound, as before
  return cpus;
}

}  // namespace edgeloop
