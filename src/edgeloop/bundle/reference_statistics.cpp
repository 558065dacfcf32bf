#include "edgeloop/bundle/reference_statistics.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>
#include <random>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

constexpr uint32_t kSampleSeed = 7;   // which raw values are kept; fixed so bundles are reproducible

// The image features by name, in bundle.json's order: the one place a name meets its field.
struct ImageFeatureField {
  const char* name;
  double ImageFeatures::*field;
};
constexpr ImageFeatureField kImageFeatureFields[] = {
    {"brightness", &ImageFeatures::brightness}, {"contrast", &ImageFeatures::contrast},
    {"sharpness", &ImageFeatures::sharpness},   {"saturation", &ImageFeatures::saturation},
    {"gradient_density", &ImageFeatures::gradient_density}, {"entropy", &ImageFeatures::entropy}};
constexpr size_t kImageFeatureCount = std::size(kImageFeatureFields);

FeatureReferenceStatistics summarise(const std::string& name, std::vector<double> values) {
  FeatureReferenceStatistics result;
  result.name = name;
  result.count = static_cast<int64_t>(values.size());
  if (values.empty()) return result;
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  result.min = *low;
  result.max = *high;
  result.mean = std::accumulate(values.begin(), values.end(), 0.0) / values.size();
  double squares = 0.0;
  for (double value : values) squares += (value - result.mean) * (value - result.mean);
  result.stddev = std::sqrt(squares / values.size());
  const double width = (result.max - result.min) / kReferenceHistogramBins;
  for (int edge = 0; edge <= kReferenceHistogramBins; ++edge) result.bin_edges.push_back(result.min + edge * width);
  result.bin_counts.assign(kReferenceHistogramBins, 0);
  for (double value : values) {
    int bin = width > 0 ? static_cast<int>((value - result.min) / width) : 0;
    ++result.bin_counts[std::clamp(bin, 0, kReferenceHistogramBins - 1)];
  }
  std::mt19937 generator(kSampleSeed);
  std::shuffle(values.begin(), values.end(), generator);
  values.resize(std::min<size_t>(values.size(), kReferenceSampleLimit));
  result.samples = std::move(values);
  return result;
}

template <typename Value>
Value required(const Json& json, const char* key) {
  if (!json.contains(key)) throw corrupt(std::string("reference statistics lack \"") + key + "\": re-export the bundle");
  return json.at(key).get<Value>();
}

}  // namespace

std::vector<std::string> image_feature_names() {
  std::vector<std::string> names;
  for (const ImageFeatureField& feature : kImageFeatureFields) names.emplace_back(feature.name);
  return names;
}

std::string embedding_projection_name(int index) { return "embedding_projection_" + std::to_string(index); }

Json ReferenceStatistics::to_json() const {
  Json result;
  result["computed_on"] = computed_on;
  result["embedding_projections"] = embedding_projections;
  Json list = Json::array();
  for (const FeatureReferenceStatistics& feature : features) {
    list.push_back({{"name", feature.name},           {"count", feature.count},
                    {"mean", feature.mean},           {"stddev", feature.stddev},
                    {"min", feature.min},             {"max", feature.max},
                    {"bin_edges", feature.bin_edges}, {"bin_counts", feature.bin_counts},
                    {"samples", feature.samples}});
  }
  result["features"] = list;
  return result;
}

namespace {

// What the drift detectors rely on: a histogram whose edges ascend and whose counts add up.
void check_sane(const FeatureReferenceStatistics& feature) {
  std::string problem;
  const bool empty = feature.count == 0 && feature.bin_counts.empty() && feature.bin_edges.empty();   // nothing measured
  if (empty) return;
  if (feature.count < 0 || feature.stddev < 0 || feature.min > feature.max) {
    problem = "a negative count or spread, or min above max";
  } else if (feature.bin_counts.empty() || feature.bin_edges.size() != feature.bin_counts.size() + 1) {
    problem = "bin_edges must hold one more value than bin_counts";
  } else if (!std::is_sorted(feature.bin_edges.begin(), feature.bin_edges.end())) {
    problem = "bin_edges do not ascend";
  } else if (std::any_of(feature.bin_counts.begin(), feature.bin_counts.end(), [](int64_t count) { return count < 0; }) ||
             std::accumulate(feature.bin_counts.begin(), feature.bin_counts.end(), int64_t{0}) != feature.count) {
    problem = "bin_counts are negative or do not add up to count";
  } else if (feature.samples.size() > static_cast<size_t>(kReferenceSampleLimit)) {
    problem = "more than " + std::to_string(kReferenceSampleLimit) + " samples";
  }
  if (!problem.empty()) {
    throw corrupt("reference statistics for \"" + feature.name + "\" are not sane (" + problem + "): re-export the bundle");
  }
}

}  // namespace

ReferenceStatistics ReferenceStatistics::from_json(const Json& json) {
  ReferenceStatistics result;
  try {
    result.computed_on = required<std::string>(json, "computed_on");
    result.embedding_projections = required<std::vector<std::vector<float>>>(json, "embedding_projections");
    for (const Json& entry : required<Json>(json, "features")) {
      FeatureReferenceStatistics feature;
      feature.name = required<std::string>(entry, "name");
      feature.count = required<int64_t>(entry, "count");
      feature.mean = required<double>(entry, "mean");
      feature.stddev = required<double>(entry, "stddev");
      feature.min = required<double>(entry, "min");
      feature.max = required<double>(entry, "max");
      feature.bin_edges = required<std::vector<double>>(entry, "bin_edges");
      feature.bin_counts = required<std::vector<int64_t>>(entry, "bin_counts");
      feature.samples = required<std::vector<double>>(entry, "samples");
      check_sane(feature);
      result.features.push_back(std::move(feature));
    }
  } catch (const Json::exception& failure) {
    throw corrupt(std::string("reference statistics are malformed (") + failure.what() + "): re-export the bundle");
  }
  return result;
}

const FeatureReferenceStatistics* ReferenceStatistics::find(const std::string& name) const {
  for (const FeatureReferenceStatistics& feature : features) {
    if (feature.name == name) return &feature;
  }
  return nullptr;
}

std::vector<std::string> ReferenceStatistics::frame_value_names() const {
  std::vector<std::string> names = image_feature_names();
  names.push_back(kFeatureConfidence);
  for (size_t index = 0; index < embedding_projections.size(); ++index) {
    names.push_back(embedding_projection_name(static_cast<int>(index)));
  }
  return names;
}

void ReferenceStatistics::frame_values_into(const ImageFeatures& image, double confidence, std::span<const float> embedding,
                                            std::vector<double>& values) const {
  values.resize(kImageFeatureCount + 1 + embedding_projections.size());
  for (size_t index = 0; index < kImageFeatureCount; ++index) values[index] = image.*kImageFeatureFields[index].field;
  values[kImageFeatureCount] = confidence;
  for (size_t index = 0; index < embedding_projections.size(); ++index) {
    const std::vector<float>& direction = embedding_projections[index];
    double& projection = values[kImageFeatureCount + 1 + index];
    if (embedding.empty()) {
      projection = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    if (direction.size() != embedding.size()) {
      throw invalid_argument("embedding has " + std::to_string(embedding.size()) + " values, the reference's projections " +
                             std::to_string(direction.size()) + ": the model and the bundle's statistics disagree");
    }
    projection = 0.0;
    for (size_t element = 0; element < direction.size(); ++element) projection += double{direction[element]} * embedding[element];
  }
}

std::map<std::string, double> ReferenceStatistics::frame_values(const ImageFeatures& image, double confidence,
                                                                 std::span<const float> embedding) const {
  std::vector<double> values;
  frame_values_into(image, confidence, embedding, values);
  const std::vector<std::string> names = frame_value_names();
  std::map<std::string, double> by_name;
  for (size_t index = 0; index < names.size(); ++index) {
    if (!std::isnan(values[index])) by_name[names[index]] = values[index];
  }
  return by_name;
}

ReferenceStatisticsBuilder::ReferenceStatisticsBuilder(int embedding_size) {
  std::mt19937 generator(kEmbeddingProjectionSeed);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int projection = 0; projection < kEmbeddingProjectionCount && embedding_size > 0; ++projection) {
    std::vector<double> direction(embedding_size);
    double norm = 0.0;
    for (double& value : direction) {
      value = normal(generator);
      norm += value * value;
    }
    norm = std::sqrt(norm);
    std::vector<float> unit(embedding_size);
    for (int element = 0; element < embedding_size; ++element) unit[element] = static_cast<float>(direction[element] / norm);
    base_.embedding_projections.push_back(std::move(unit));
  }
  order_ = image_feature_names();
  order_.push_back(kFeatureConfidence);
  for (int projection = 0; projection < static_cast<int>(base_.embedding_projections.size()); ++projection) {
    order_.push_back(embedding_projection_name(projection));
  }
}

void ReferenceStatisticsBuilder::add(const ImageFeatures& image, double confidence, std::span<const float> embedding) {
  for (const auto& [name, value] : base_.frame_values(image, confidence, embedding)) values_[name].push_back(value);
  ++count_;
}

ReferenceStatistics ReferenceStatisticsBuilder::finish(const std::string& computed_on) const {
  ReferenceStatistics result = base_;
  result.computed_on = computed_on;
  for (const std::string& name : order_) {
    auto found = values_.find(name);
    result.features.push_back(summarise(name, found == values_.end() ? std::vector<double>{} : found->second));
  }
  return result;
}

}  // namespace edgeloop
