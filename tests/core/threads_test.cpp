#include <gtest/gtest.h>

#include <thread>

#include "edgeloop/core/threads.h"

namespace edgeloop {

TEST(Threads, a_request_beyond_the_cores_is_capped_at_the_cores) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(resolve_thread_count(100000), cores);
  EXPECT_EQ(resolve_thread_count(0), cores);
  EXPECT_EQ(resolve_thread_count(1), 1);
}

}  // namespace edgeloop
