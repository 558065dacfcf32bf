#include <gtest/gtest.h>

#include <thread>

#include "edgeloop/edge/bounded_queue.h"

namespace edgeloop {
namespace {

TEST(BoundedQueue, pop_some_takes_at_most_the_limit_oldest_first) {
  BoundedQueue<int> queue(8, WhenFull::kBlock);
  for (int item = 0; item < 5; ++item) ASSERT_TRUE(queue.push(item));
  std::vector<int> batch;
  ASSERT_TRUE(queue.pop_some(batch, 3));
  EXPECT_EQ(batch, (std::vector<int>{0, 1, 2}));
  ASSERT_TRUE(queue.pop_some(batch, 3));
  EXPECT_EQ(batch, (std::vector<int>{3, 4}));
  EXPECT_EQ(queue.size(), 0u);
}

TEST(BoundedQueue, batches_through_a_full_blocking_queue_arrive_whole_and_in_order) {
  constexpr int kItems = 1000;
  BoundedQueue<int> queue(4, WhenFull::kBlock);
  std::thread producer([&] {
    std::vector<int> batch;
    for (int item = 0; item < kItems; ++item) {
      batch.push_back(item);
      if (batch.size() == 7 || item == kItems - 1) ASSERT_TRUE(queue.push_all(batch));
      EXPECT_LE(queue.size(), 4u);
    }
    queue.close();
  });
  std::vector<int> received, batch;
  while (queue.pop_some(batch, 3)) {
    EXPECT_LE(batch.size(), 3u);
    received.insert(received.end(), batch.begin(), batch.end());
  }
  producer.join();
  ASSERT_EQ(received.size(), size_t(kItems));
  for (int item = 0; item < kItems; ++item) EXPECT_EQ(received[item], item);
  EXPECT_EQ(queue.dropped(), 0);
}

TEST(BoundedQueue, a_batch_into_a_live_queue_drops_the_oldest_and_counts_them) {
  BoundedQueue<int> queue(3, WhenFull::kDropOldest);
  ASSERT_TRUE(queue.push(-1));
  std::vector<int> batch{0, 1, 2, 3};
  ASSERT_TRUE(queue.push_all(batch));
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(queue.dropped(), 2);
  ASSERT_TRUE(queue.pop_some(batch, 10));
  EXPECT_EQ(batch, (std::vector<int>{1, 2, 3}));
}

TEST(BoundedQueue, close_lets_the_consumer_drain_then_see_the_end) {
  BoundedQueue<int> queue(4, WhenFull::kBlock);
  ASSERT_TRUE(queue.push(1));
  ASSERT_TRUE(queue.push(2));
  queue.close();
  std::vector<int> late{3};
  EXPECT_FALSE(queue.push_all(late));
  EXPECT_FALSE(queue.push(4));
  std::vector<int> batch;
  ASSERT_TRUE(queue.pop_some(batch, 10));
  EXPECT_EQ(batch, (std::vector<int>{1, 2}));
  EXPECT_FALSE(queue.pop_some(batch, 10));
  EXPECT_TRUE(batch.empty());
}

TEST(BoundedQueue, close_wakes_a_producer_blocked_on_a_full_queue) {
  BoundedQueue<int> queue(1, WhenFull::kBlock);
  ASSERT_TRUE(queue.push(0));
  std::vector<int> batch{1, 2};
  bool pushed = true;
  std::thread producer([&] { pushed = queue.push_all(batch); });
  queue.close();
  producer.join();
  EXPECT_FALSE(pushed);
}

}  // namespace
}  // namespace edgeloop
