#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include <algorithm>
#include <thread>

#include "edgeloop/core/threads.h"

namespace edgeloop {
namespace {

TEST(ScopedThreads, sets_opencv_and_the_other_settings_then_restores_what_it_found) {
  cv::setNumThreads(2);
  int other = 5;
  {
    const ScopedThreads scoped(1, {ThreadSetting{[&] { return other; }, [&](int threads) { other = threads; }}});
    EXPECT_EQ(scoped.threads(), 1);
    EXPECT_EQ(cv::getNumThreads(), 1);
    EXPECT_EQ(other, 1);
  }
  EXPECT_EQ(cv::getNumThreads(), 2);
  EXPECT_EQ(other, 5);
}

TEST(ScopedThreads, zero_means_every_core) {
  const ScopedThreads scoped(0);
  EXPECT_EQ(scoped.threads(), resolve_thread_count(0));
  EXPECT_GE(scoped.threads(), 1);
}

TEST(Threads, a_request_beyond_the_cores_is_capped_at_the_cores) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(resolve_thread_count(100000), cores);
  EXPECT_EQ(resolve_thread_count(0), cores);
  EXPECT_EQ(resolve_thread_count(1), 1);
}

}  // namespace

}  // namespace edgeloop
