#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "edgeloop/bundle/reference_statistics.h"
#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

constexpr int kEmbeddingSize = 8;

ReferenceStatistics build(int images) {
  ReferenceStatisticsBuilder builder(kEmbeddingSize);
  for (int index = 0; index < images; ++index) {
    ImageFeatures features;
    features.brightness = index % 256;
    features.contrast = 10.0 + index % 7;
    std::vector<float> embedding(kEmbeddingSize, static_cast<float>(index % 5));
    builder.add(features, /*confidence=*/0.5 + 0.5 * (index % 2), embedding);
  }
  return builder.finish("test images");
}

TEST(ReferenceStatistics, histograms_count_every_image_and_samples_are_capped) {
  const int images = kReferenceSampleLimit + 500;
  ReferenceStatistics statistics = build(images);
  const FeatureReferenceStatistics* brightness = statistics.find("brightness");
  ASSERT_NE(brightness, nullptr);
  EXPECT_EQ(brightness->count, images);
  EXPECT_EQ(std::accumulate(brightness->bin_counts.begin(), brightness->bin_counts.end(), int64_t{0}), images);
  EXPECT_EQ(brightness->bin_edges.size(), static_cast<size_t>(kReferenceHistogramBins + 1));
  EXPECT_EQ(brightness->samples.size(), static_cast<size_t>(kReferenceSampleLimit));
  EXPECT_DOUBLE_EQ(brightness->min, 0.0);
  EXPECT_DOUBLE_EQ(brightness->max, 255.0);
  ASSERT_NE(statistics.find(kFeatureConfidence), nullptr);
  ASSERT_NE(statistics.find(embedding_projection_name(kEmbeddingProjectionCount - 1)), nullptr);
}

TEST(ReferenceStatistics, projections_are_unit_vectors_and_the_same_for_every_build) {
  ReferenceStatistics first = build(10), second = build(20);
  ASSERT_EQ(first.embedding_projections.size(), static_cast<size_t>(kEmbeddingProjectionCount));
  EXPECT_EQ(first.embedding_projections, second.embedding_projections);
  for (const std::vector<float>& direction : first.embedding_projections) {
    double norm = 0.0;
    for (float value : direction) norm += value * value;
    EXPECT_NEAR(norm, 1.0, 1e-5);
  }
}

TEST(ReferenceStatistics, json_round_trip_keeps_every_feature) {
  ReferenceStatistics statistics = build(300);
  ReferenceStatistics loaded = ReferenceStatistics::from_json(Json::parse(statistics.to_json().dump()));
  ASSERT_EQ(loaded.features.size(), statistics.features.size());
  for (size_t index = 0; index < loaded.features.size(); ++index) {
    EXPECT_EQ(loaded.features[index].name, statistics.features[index].name);
    EXPECT_EQ(loaded.features[index].bin_counts, statistics.features[index].bin_counts);
    EXPECT_EQ(loaded.features[index].samples, statistics.features[index].samples);
  }
  EXPECT_EQ(loaded.embedding_projections, statistics.embedding_projections);
}

TEST(ReferenceStatistics, frame_values_name_every_feature_the_reference_has) {
  ReferenceStatistics statistics = build(50);
  std::vector<float> embedding(kEmbeddingSize, 1.0f);
  const auto values = statistics.frame_values(ImageFeatures{}, 0.7, embedding);
  for (const FeatureReferenceStatistics& feature : statistics.features) EXPECT_TRUE(values.count(feature.name)) << feature.name;
  std::vector<float> wrong_size(kEmbeddingSize + 1, 1.0f);
  EXPECT_THROW(statistics.frame_values(ImageFeatures{}, 0.7, wrong_size), Error);
}

TEST(ReferenceStatistics, a_histogram_that_does_not_add_up_is_refused_as_corrupt) {
  Json json = build(50).to_json();
  json["features"][0]["bin_counts"][0] = json["features"][0]["bin_counts"][0].get<int64_t>() + 7;
  try {
    ReferenceStatistics::from_json(json);
    FAIL() << "accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kCorrupt);
    EXPECT_NE(std::string(error.what()).find("do not add up"), std::string::npos) << error.what();
  }
  Json descending = build(50).to_json();
  std::reverse(descending["features"][1]["bin_edges"].begin(), descending["features"][1]["bin_edges"].end());
  EXPECT_THROW(ReferenceStatistics::from_json(descending), Error);
  Json negative = build(50).to_json();
  negative["features"][2]["stddev"] = -1.0;
  EXPECT_THROW(ReferenceStatistics::from_json(negative), Error);
}

TEST(ReferenceStatistics, missing_field_is_reported_as_corrupt) {
  Json json = build(5).to_json();
  json.erase("features");
  EXPECT_THROW(ReferenceStatistics::from_json(json), Error);
}

}  // namespace
}  // namespace edgeloop
