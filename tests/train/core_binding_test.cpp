// Core binding of the ranks that share a machine: the share each local rank takes, and that a bound
// rank's threads and thread counts stay within it.
#include <gtest/gtest.h>

#include <thread>

#include "edgeloop/core/threads.h"
#include "edgeloop/train/distributed/core_binding.h"

namespace edgeloop {

TEST(CoreBinding, local_ranks_take_even_contiguous_shares_of_the_allowed_cpus) {
  const std::vector<int> allowed{0, 1, 2, 3, 4, 6, 7};   // 5 is not the process's (a cpuset)
  EXPECT_EQ(local_rank_cpus(allowed, 0, 2), (std::vector<int>{0, 1, 2, 3}));   // the remainder to the first
  EXPECT_EQ(local_rank_cpus(allowed, 1, 2), (std::vector<int>{4, 6, 7}));
  EXPECT_EQ(local_rank_cpus(allowed, 2, 7), (std::vector<int>{2}));
  EXPECT_TRUE(local_rank_cpus(allowed, 0, 8).empty());   // fewer CPUs than ranks: unbound
  EXPECT_TRUE(local_rank_cpus(allowed, 0, 1).empty());   // alone on the machine: unbound
  EXPECT_TRUE(local_rank_cpus(allowed, 0, 0).empty());   // LOCAL_WORLD_SIZE not given
}

TEST(CoreBinding, a_bound_rank_and_the_threads_it_starts_run_on_its_share_with_that_many_threads) {
  const std::vector<int> allowed = allowed_cpus();
  if (allowed.size() < 2) GTEST_SKIP() << "needs 2 CPUs";
  // In a thread of its own: the binding is the calling thread's, and the test's thread stays free.
  std::thread rank([&] {
    LaunchEnvironment environment;
    environment.local_rank = 1;
    environment.local_world_size = 2;
    const std::vector<int> bound = bind_to_local_rank_cpus(environment);
    EXPECT_EQ(bound, local_rank_cpus(allowed, 1, 2));
    EXPECT_EQ(allowed_cpus(), bound);
    EXPECT_EQ(resolve_thread_count(0), static_cast<int>(bound.size()));   // all cores = its share
    EXPECT_EQ(resolve_thread_count(64), static_cast<int>(bound.size()));
    std::vector<int> started_on;
    std::thread([&] { started_on = allowed_cpus(); }).join();
    EXPECT_EQ(started_on, bound);
  });
  rank.join();
  EXPECT_EQ(allowed_cpus(), allowed);
  EXPECT_EQ(resolve_thread_count(0), static_cast<int>(allowed.size()));
}

}  // namespace edgeloop
