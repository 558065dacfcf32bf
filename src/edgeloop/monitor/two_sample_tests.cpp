#include "edgeloop/monitor/two_sample_tests.h"

#include <algorithm>
#include <cmath>

namespace edgeloop {
namespace {

constexpr double kPsiShareFloor = 1e-4;    // share given to an empty bin
constexpr int kKolmogorovTerms = 100;      // series terms; converges long before
constexpr double kKolmogorovTolerance = 1e-10;

// Q_KS(lambda) = 2 * sum_{j>=1} (-1)^{j-1} exp(-2 j^2 lambda^2), the Kolmogorov survival function.
double kolmogorov_survival(double lambda) {
  if (lambda < 1e-3) return 1.0;
  double sum = 0.0;
  double sign = 1.0;
  for (int term = 1; term <= kKolmogorovTerms; ++term) {
    double value = sign * std::exp(-2.0 * term * term * lambda * lambda);
    sum += value;
    if (std::abs(value) < kKolmogorovTolerance * std::abs(sum)) break;
    sign = -sign;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

}  // namespace

KsResult ks_two_sample(std::span<const double> sorted_reference, std::span<const double> sorted_window) {
  if (sorted_reference.empty() || sorted_window.empty()) return {};
  const double reference_size = static_cast<double>(sorted_reference.size());
  const double window_size = static_cast<double>(sorted_window.size());
  size_t reference_index = 0;
  size_t window_index = 0;
  double largest_gap = 0.0;
  while (reference_index < sorted_reference.size() && window_index < sorted_window.size()) {
    double value = std::min(sorted_reference[reference_index], sorted_window[window_index]);
    while (reference_index < sorted_reference.size() && sorted_reference[reference_index] <= value) ++reference_index;
    while (window_index < sorted_window.size() && sorted_window[window_index] <= value) ++window_index;
    largest_gap = std::max(largest_gap, std::abs(reference_index / reference_size - window_index / window_size));
  }
  const double effective_size = std::sqrt(reference_size * window_size / (reference_size + window_size));
  // Stephens' small-sample correction, as in Numerical Recipes' kstwo.
  const double lambda = (effective_size + 0.12 + 0.11 / effective_size) * largest_gap;
  return KsResult{largest_gap, kolmogorov_survival(lambda)};
}

std::vector<double> quantile_bin_edges(std::span<const double> sorted_reference, int bins) {
  std::vector<double> edges;
  if (sorted_reference.empty() || bins < 2) return edges;
  for (int bin = 1; bin < bins; ++bin) {
    size_t index = std::min(sorted_reference.size() - 1, sorted_reference.size() * bin / bins);
    double edge = sorted_reference[index];
    if (edges.empty() || edge > edges.back()) edges.push_back(edge);
  }
  return edges;
}

std::vector<double> psi_bin_shares(std::span<const double> values, std::span<const double> inner_edges) {
  std::vector<double> counts(inner_edges.size() + 1, 0.0);
  for (double value : values) {
    auto bin = std::upper_bound(inner_edges.begin(), inner_edges.end(), value) - inner_edges.begin();
    counts[bin] += 1.0;
  }
  for (double& count : counts) count = std::max(count / std::max<size_t>(values.size(), 1), kPsiShareFloor);
  return counts;
}

double population_stability_index(std::span<const double> sorted_reference, std::span<const double> window,
                                  std::span<const double> inner_edges) {
  if (sorted_reference.empty() || window.empty()) return 0.0;
  return population_stability_index(psi_bin_shares(sorted_reference, inner_edges), psi_bin_shares(window, inner_edges));
}

double population_stability_index(std::span<const double> reference_shares, std::span<const double> window_shares) {
  double psi = 0.0;
  for (size_t bin = 0; bin < reference_shares.size(); ++bin) {
    psi += (window_shares[bin] - reference_shares[bin]) * std::log(window_shares[bin] / reference_shares[bin]);
  }
  return psi;
}

}  // namespace edgeloop
