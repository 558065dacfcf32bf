#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "edgeloop/monitor/two_sample_tests.h"

namespace edgeloop {
namespace {

std::vector<double> sorted_normal(int count, double mean, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<double> normal(mean, 1.0);
  std::vector<double> values(count);
  for (double& value : values) value = normal(generator);
  std::sort(values.begin(), values.end());
  return values;
}

TEST(TwoSampleTests, ks_is_not_significant_for_the_same_distribution) {
  KsResult result = ks_two_sample(sorted_normal(2000, 0.0, 1), sorted_normal(200, 0.0, 2));
  EXPECT_LT(result.statistic, 0.15);
  EXPECT_GT(result.p_value, 0.01);
}

TEST(TwoSampleTests, ks_is_significant_for_a_shifted_distribution) {
  KsResult result = ks_two_sample(sorted_normal(2000, 0.0, 1), sorted_normal(200, 1.0, 2));
  EXPECT_GT(result.statistic, 0.3);
  EXPECT_LT(result.p_value, 1e-6);
}

TEST(TwoSampleTests, ks_of_disjoint_samples_is_one) {
  std::vector<double> low{1, 2, 3}, high{10, 11, 12};
  EXPECT_DOUBLE_EQ(ks_two_sample(low, high).statistic, 1.0);
}

TEST(TwoSampleTests, psi_is_small_when_unchanged_and_large_when_shifted) {
  std::vector<double> reference = sorted_normal(5000, 0.0, 3);
  std::vector<double> edges = quantile_bin_edges(reference, 10);
  EXPECT_EQ(edges.size(), 9u);
  EXPECT_LT(population_stability_index(reference, sorted_normal(1000, 0.0, 4), edges), 0.05);
  EXPECT_GT(population_stability_index(reference, sorted_normal(1000, 1.0, 4), edges), 0.5);
}

}  // namespace
}  // namespace edgeloop
