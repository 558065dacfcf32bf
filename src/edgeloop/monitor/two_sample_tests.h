// Two-sample tests the drift detector runs per feature: Kolmogorov–Smirnov (statistic and
// asymptotic p-value) and the population stability index over reference-quantile bins.
// Called by monitor/drift_detector.cpp and bench/edge. Pure functions, thread-safe.
#pragma once

#include <span>
#include <vector>

namespace edgeloop {

struct KsResult {
  double statistic = 0.0;   // sup |F_reference - F_window|, 0..1
  double p_value = 1.0;     // asymptotic two-sided p-value (Kolmogorov distribution)
};

// Both inputs must be sorted ascending; empty inputs give {0, 1}.
KsResult ks_two_sample(std::span<const double> sorted_reference, std::span<const double> sorted_window);

// Bin edges at the reference's quantiles (bins - 1 inner edges), so each bin holds about the
// same share of the reference. `sorted_reference` sorted ascending.
std::vector<double> quantile_bin_edges(std::span<const double> sorted_reference, int bins);

// PSI = sum over bins of (w - r) * ln(w / r), w and r the window's and reference's shares, each
// floored at `kPsiShareFloor` so an empty bin stays finite. 0 = same; > 0.25 is a large shift.
double population_stability_index(std::span<const double> sorted_reference, std::span<const double> window,
                                  std::span<const double> inner_edges);
// The same from shares computed beforehand (the reference's once, by the drift detector).
double population_stability_index(std::span<const double> reference_shares, std::span<const double> window_shares);
// Each bin's share of `values` (inner_edges.size() + 1 bins), floored at kPsiShareFloor.
std::vector<double> psi_bin_shares(std::span<const double> values, std::span<const double> inner_edges);

}  // namespace edgeloop
