#include <gtest/gtest.h>

#include <opencv2/core.hpp>

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

}  // namespace
}  // namespace edgeloop
