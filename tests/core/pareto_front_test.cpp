#include <gtest/gtest.h>

#include "edgeloop/core/pareto_front.h"

namespace edgeloop {
namespace {

TEST(ParetoFront, keeps_points_no_other_beats_and_skips_ineligible_ones) {
  const std::vector<bool> front = pareto_front({{0.90, 1.0}, {0.95, 2.0}, {0.85, 3.0}, {0.99, 0.5, /*eligible=*/false}});
  EXPECT_EQ(front, (std::vector<bool>{true, true, false, false}));
}

TEST(ParetoFront, equal_points_do_not_dominate_each_other) {
  EXPECT_EQ(pareto_front({{0.9, 1.0}, {0.9, 1.0}}), (std::vector<bool>{true, true}));
}

}  // namespace
}  // namespace edgeloop
