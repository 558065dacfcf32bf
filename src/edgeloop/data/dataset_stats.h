// Dataset statistics: counts per class and split, imbalance, image sizes and channels, brightness,
// contrast and sharpness per class (preprocess/image_features.h), and leakage: identical pixels
// in different splits and perceptual-hash near-duplicates across splits. Decodes every image
// (in `threads` threads). Called by `edgeloop data stats`.
//
// JSON shape (stable; tests and other tools read it):
// {"dataset": "fmnist", "version": 2, "version_id": "…", "total": 70000, "unlabeled": 0,
//  "imbalance_ratio": 1.0,                 // largest class / smallest; null when a class is empty
//  "imbalance_warning": false,             // ratio above 1.5
//  "classes": {"Coat": {"total": 7000, "train": 5600, "val": 700, "test": 700,
//                       "test_sets": {"test": 700},
//                       "brightness": 97.1, "contrast": 88.0, "sharpness": 4410.2}, …},
//  "splits": {"train": 56000, "val": 7000, "test:test": 7000},   // "" counts unsplit samples
//  "images": {"sizes": {"28x28": 70000}, "channels": {"1": 70000}, "formats": {"png": 70000}},
//  "duplicates": {"identical_across_splits": 0, "near_pairs": 12, "near_across_splits": 3,
//                 "near_distance": 3,
//                 "near_mean_difference": 6.0, "examples": [{"a": origin, "b": origin, "splits": ["train", "val"]}]},
//  "unlabeled_features": {"brightness": …, "contrast": …, "sharpness": …},   // only when some are unlabeled
//  "warnings": ["…"]}
#pragma once

#include <optional>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/core/progress.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {

inline constexpr double kImbalanceWarningRatio = 1.5;

struct StatsOptions {
  bool decode_images = true;  // false: counts only (fast); no features, sizes from the registry, no leakage check
  int near_distance = 3;      // dHash Hamming distance (bits of 64) for near-duplicate candidates, 0..3
  double near_mean_difference = 6.0;  // and the largest mean gray-level difference of their 16×16 thumbnails
  int threads = 0;            // decoding threads; 0: all cores
};

// Largest class over smallest, from samples per class (copies counted). `ratio` is unset when a
// class has none; `warning` when the ratio is above kImbalanceWarningRatio or a class is empty.
struct ClassImbalance {
  std::optional<double> ratio;
  bool warning = false;
};
ClassImbalance class_imbalance(const std::vector<int64_t>& samples_per_class);
// The same over every split of a dataset version, from the registry alone (no decoding).
ClassImbalance class_imbalance(Registry& registry, const DatasetVersion& version);

Json dataset_stats(const Workspace& workspace, Registry& registry, const std::string& reference,
                   const StatsOptions& options = {}, const ProgressCallback& progress = {});

}  // namespace edgeloop
