// How the ranks' shares of each batch follow their measured speed (--balance-ranks).
#include "edgeloop/train/distributed/rank_balance.h"

#include <gtest/gtest.h>

namespace edgeloop {
namespace {

// Feeds `steps` steps of the same per-rank seconds per image; returns the last step's answer.
std::optional<std::vector<int64_t>> feed(RankBalance& balance, const std::vector<float>& seconds, int steps) {
  std::optional<std::vector<int64_t>> answer;
  for (int step = 0; step < steps; ++step) answer = balance.add_step(seconds);
  return answer;
}

TEST(RankBalance, shares_follow_the_ranks_speed_once_a_window_is_measured) {
  RankBalance balance(2);
  // Rank 1 takes twice as long per image: it should take a third of each batch.
  EXPECT_FALSE(feed(balance, {0.01f, 0.02f}, RankBalance::kWindowSteps - 1).has_value()) << "not before a window";
  EXPECT_EQ(balance.weights(), (std::vector<int64_t>{RankBalance::kEvenWeight, RankBalance::kEvenWeight}));
  const auto moved = balance.add_step({0.01f, 0.02f});
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(*moved, (std::vector<int64_t>{1333, 667}));
  EXPECT_EQ(balance.weights(), *moved);
  // The same speeds again: nothing moves.
  EXPECT_FALSE(feed(balance, {0.01f, 0.02f}, RankBalance::kWindowSteps).has_value());
  // The machines swap speeds for one window: halfway back, even shares; a swing that reverses at
  // once moves nothing further.
  ASSERT_TRUE(feed(balance, {0.02f, 0.01f}, RankBalance::kWindowSteps).has_value());
  EXPECT_EQ(balance.weights(), (std::vector<int64_t>{1000, 1000}));
  // They stay swapped: within a few windows the shares follow.
  feed(balance, {0.02f, 0.01f}, 5 * RankBalance::kWindowSteps);
  EXPECT_NEAR(balance.weights().at(0), 667, 667 * 2 * RankBalance::kSmallestChange);
  EXPECT_NEAR(balance.weights().at(1), 1333, 1333 * 2 * RankBalance::kSmallestChange);
}

TEST(RankBalance, no_rank_falls_below_a_quarter_of_an_even_share) {
  RankBalance balance(3);
  const auto weights = feed(balance, {0.001f, 0.001f, 10.0f}, RankBalance::kWindowSteps);
  ASSERT_TRUE(weights.has_value());
  EXPECT_EQ(weights->at(2), 250);
  EXPECT_EQ(weights->at(0), weights->at(1));
}

TEST(RankBalance, a_window_in_which_a_rank_had_no_images_keeps_the_weights) {
  RankBalance balance(2);
  EXPECT_FALSE(feed(balance, {0.01f, 0.0f}, RankBalance::kWindowSteps).has_value());
  EXPECT_EQ(balance.weights(), (std::vector<int64_t>{RankBalance::kEvenWeight, RankBalance::kEvenWeight}));
  // One timed step of rank 1 in the next window is enough.
  feed(balance, {0.01f, 0.0f}, RankBalance::kWindowSteps - 1);
  EXPECT_TRUE(balance.add_step({0.01f, 0.03f}).has_value());
  EXPECT_LT(balance.weights().at(1), balance.weights().at(0));
}

TEST(RankBalance, a_change_within_the_noise_keeps_the_weights) {
  RankBalance balance(2);
  EXPECT_FALSE(feed(balance, {0.0100f, 0.0104f}, RankBalance::kWindowSteps).has_value());
  EXPECT_TRUE(feed(balance, {0.0100f, 0.0110f}, RankBalance::kWindowSteps).has_value());
}

}  // namespace
}  // namespace edgeloop
