// ReferenceStatistics: what the training images looked like, stored in bundle.json for the device's
// drift monitor. Per feature (brightness, contrast, sharpness, saturation, gradient density, entropy
// from preprocess/image_features.h; the model's confidence; a few fixed random projections of the
// embedding): a histogram and a sample of raw values, enough for a KS test on the device.
// Built by export (ReferenceStatisticsBuilder), read by edge/ and monitor/ through from_json.
// Plain values; const members are thread-safe, the builder is not.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/preprocess/image_features.h"

namespace edgeloop {

constexpr int kReferenceHistogramBins = 20;        // equal-width bins between the feature's min and max
constexpr int kReferenceSampleLimit = 1000;        // raw values kept per feature (a seeded random subset)
constexpr int kEmbeddingProjectionCount = 4;       // fixed random unit directions in embedding space
constexpr uint32_t kEmbeddingProjectionSeed = 2026;

// Feature names as they appear in bundle.json and in the drift monitor's per-frame values.
constexpr const char* kFeatureConfidence = "confidence";            // top-1 probability, 0..1
std::vector<std::string> image_feature_names();                     // brightness, contrast, ...
std::string embedding_projection_name(int index);                   // "embedding_projection_0", ...

struct FeatureReferenceStatistics {
  std::string name;
  int64_t count = 0;                  // images measured
  double mean = 0, stddev = 0, min = 0, max = 0;
  std::vector<double> bin_edges;      // kReferenceHistogramBins + 1 ascending edges (min .. max)
  std::vector<int64_t> bin_counts;    // kReferenceHistogramBins counts, summing to `count`
  std::vector<double> samples;        // up to kReferenceSampleLimit raw values, unsorted
};

struct ReferenceStatistics {
  std::string computed_on;                          // e.g. "train split of fashion@1 (4000 images)"
  std::vector<FeatureReferenceStatistics> features;  // image features, confidence, projections
  // The embedding projections: kEmbeddingProjectionCount unit vectors [count][embedding_size],
  // stored explicitly so the device projects exactly as export did.
  std::vector<std::vector<float>> embedding_projections;

  Json to_json() const;
  // Throws Error(kCorrupt) naming the missing field.
  static ReferenceStatistics from_json(const Json& json);
  const FeatureReferenceStatistics* find(const std::string& name) const;   // nullptr when absent

  // The per-frame values the device compares with these references: the image features, the
  // confidence and the embedding's projections, by feature name. `embedding` may be empty (no
  // projections then); otherwise its size must match the projections'.
  std::map<std::string, double> frame_values(const ImageFeatures& image, double confidence,
                                             std::span<const float> embedding) const;
  // The same values by position, for the device's per-frame path: `values` gets one per
  // frame_value_names() entry (image features, confidence, projections; NaN projections when
  // `embedding` is empty), without allocating once it has that size.
  std::vector<std::string> frame_value_names() const;
  void frame_values_into(const ImageFeatures& image, double confidence, std::span<const float> embedding,
                         std::vector<double>& values) const;
};

// Accumulates one training image at a time, then summarises. Deterministic for a given order.
class ReferenceStatisticsBuilder {
 public:
  explicit ReferenceStatisticsBuilder(int embedding_size);
  void add(const ImageFeatures& image, double confidence, std::span<const float> embedding);
  ReferenceStatistics finish(const std::string& computed_on) const;
  int64_t count() const { return count_; }

 private:
  ReferenceStatistics base_;                            // holds the projections
  std::map<std::string, std::vector<double>> values_;   // all values per feature
  std::vector<std::string> order_;                      // feature order in the output
  int64_t count_ = 0;
};

}  // namespace edgeloop
