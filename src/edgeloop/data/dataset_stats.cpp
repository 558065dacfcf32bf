#include "edgeloop/data/dataset_stats.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>

#include <opencv2/core/utility.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/core/number_format.h"
#include "edgeloop/core/threads.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/data/perceptual_hash.h"
#include "edgeloop/preprocess/image_features.h"
#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {

namespace {

constexpr size_t kSamplesPerChunk = 4096;   // decoded in parallel between progress reports
constexpr size_t kMaxNearPairs = 1000000;   // stop looking after this many near-duplicate pairs
constexpr size_t kDuplicateExamples = 5;
constexpr const char* kUnlabeledFeatures = "unlabeled_features";  // top-level key: features of unlabeled samples

struct Decoded {
  ImageFeatures features;
  ImageFingerprint fingerprint;
  std::string pixel_hash;   // sha256 of size, type and pixels: identical images stored as different files
  int width = 0, height = 0, channels = 0;
};

Decoded decode_one(const ObjectStore& objects, const std::string& object_hash) {
  const cv::Mat image = objects.decode(object_hash);
  Decoded decoded;
  decoded.features = compute_image_features(image);
  decoded.fingerprint = image_fingerprint(image);
  decoded.width = image.cols;
  decoded.height = image.rows;
  decoded.channels = image.channels();
  Sha256 pixels;
  pixels.update(std::to_string(image.cols) + "x" + std::to_string(image.rows) + "x" + std::to_string(image.type()));
  const cv::Mat continuous = image.isContinuous() ? image : image.clone();
  pixels.update(std::span<const uint8_t>(continuous.data, continuous.total() * continuous.elemSize()));
  decoded.pixel_hash = pixels.hex_digest();
  return decoded;
}

std::vector<Decoded> decode_all(const Workspace& workspace, const std::vector<Sample>& samples, int threads,
                                const ProgressCallback& progress) {
  ObjectStore objects(workspace);
  std::vector<Decoded> decoded(samples.size());
  const ScopedThreads decode_threads(threads);
  std::string failure;
  std::mutex failure_mutex;
  for (size_t begin = 0; begin < samples.size() && failure.empty(); begin += kSamplesPerChunk) {
    const size_t end = std::min(samples.size(), begin + kSamplesPerChunk);
    cv::parallel_for_(cv::Range(static_cast<int>(begin), static_cast<int>(end)), [&](const cv::Range& range) {
      for (int index = range.start; index < range.end; ++index) {
        try {
          decoded[index] = decode_one(objects, samples[index].object_hash);
        } catch (const std::exception& error) {
          std::lock_guard<std::mutex> lock(failure_mutex);
          failure = error.what();
        }
      }
    });
    if (progress) progress(Progress{"stats", static_cast<int64_t>(end), static_cast<int64_t>(samples.size()), ""});
  }
  if (!failure.empty()) throw corrupt(failure);
  return decoded;
}

std::string split_group(const std::string& split) {
  if (split.starts_with(kSplitTestPrefix)) return "test";
  return split;
}

// Counts per class (total, per split group, per test set) and per split, into `stats`.
Json count_samples(const DatasetVersion& version, const std::vector<Sample>& samples, Json& stats) {
  Json classes = Json::object();
  for (const auto& name : version.classes) {
    classes[name] = {{"total", 0}, {"train", 0}, {"val", 0}, {"test", 0}, {"test_sets", Json::object()}};
  }
  Json splits = Json::object();
  int64_t total = 0, unlabeled = 0;
  for (const Sample& sample : samples) {
    total += sample.copies;
    splits[sample.split] = splits.value(sample.split, 0) + sample.copies;
    if (sample.label < 0) {
      unlabeled += sample.copies;
      continue;
    }
    Json& entry = classes[version.classes[sample.label]];
    entry["total"] = entry["total"].get<int64_t>() + sample.copies;
    const std::string group = split_group(sample.split);
    if (!group.empty()) entry[group] = entry[group].get<int64_t>() + sample.copies;
    if (group == "test") {
      const std::string name = sample.split.substr(std::string(kSplitTestPrefix).size());
      entry["test_sets"][name] = entry["test_sets"].value(name, 0) + sample.copies;
    }
  }
  stats["total"] = total;
  stats["unlabeled"] = unlabeled;
  stats["splits"] = splits;
  return classes;
}

// The imbalance ratio (largest/smallest class) and its warning, into `stats` and `warnings`.
void check_balance(const Json& classes, Json& stats, Json& warnings) {
  std::vector<int64_t> totals;
  for (const auto& [name, entry] : classes.items()) totals.push_back(entry["total"].get<int64_t>());
  const ClassImbalance imbalance = class_imbalance(totals);
  stats["imbalance_ratio"] = imbalance.ratio ? Json(*imbalance.ratio) : Json(nullptr);
  stats["imbalance_warning"] = imbalance.warning;
  if (!imbalance.ratio && !classes.empty()) warnings.push_back("a class has no samples");
  if (imbalance.ratio && imbalance.warning) {
    warnings.push_back("classes are imbalanced (largest/smallest = " + format_fixed(*imbalance.ratio, 2) +
                       "): run `edgeloop data balance` or train with class weights");
  }
}

// Image sizes, channels and formats as the registry recorded them at import (no decoding).
Json stored_image_counts(DatasetStore& store, const std::vector<Sample>& samples) {
  Json sizes = Json::object(), channels = Json::object(), formats = Json::object();
  for (const Sample& sample : samples) {
    const auto object = store.object(sample.object_hash);
    if (!object) continue;
    const std::string size = std::to_string(object->width) + "x" + std::to_string(object->height);
    sizes[size] = sizes.value(size, 0) + 1;
    channels[std::to_string(object->channels)] = channels.value(std::to_string(object->channels), 0) + 1;
    formats[object->format] = formats.value(object->format, 0) + 1;
  }
  return {{"sizes", sizes}, {"channels", channels}, {"formats", formats}};
}

// Decoded images: sizes and channels as decoded, mean brightness/contrast/sharpness per class
// (into `classes`, or stats[kUnlabeledFeatures]); returns the images with identical pixels in
// different splits.
int64_t describe_decoded(const DatasetVersion& version, const std::vector<Sample>& samples,
                         const std::vector<Decoded>& decoded, Json& images, Json& classes, Json& stats) {
  std::map<int, std::array<double, 3>> feature_sums;  // label → brightness, contrast, sharpness sums
  std::map<int, int64_t> feature_counts;
  std::unordered_map<std::string, size_t> first_with_pixels;
  int64_t identical_across_splits = 0;
  for (size_t index = 0; index < samples.size(); ++index) {
    const Decoded& image = decoded[index];
    const std::string size = std::to_string(image.width) + "x" + std::to_string(image.height);
    images["sizes"][size] = images["sizes"].value(size, 0) + 1;
    images["channels"][std::to_string(image.channels)] = images["channels"].value(std::to_string(image.channels), 0) + 1;
    auto& sums = feature_sums[samples[index].label];
    sums[0] += image.features.brightness;
    sums[1] += image.features.contrast;
    sums[2] += image.features.sharpness;
    ++feature_counts[samples[index].label];
    const auto [first, inserted] = first_with_pixels.emplace(image.pixel_hash, index);
    if (!inserted && samples[first->second].split != samples[index].split) ++identical_across_splits;
  }
  for (const auto& [label, sums] : feature_sums) {
    Json& entry = label < 0 ? stats[kUnlabeledFeatures] : classes[version.classes[label]];
    const double count = static_cast<double>(feature_counts[label]);
    entry["brightness"] = sums[0] / count;
    entry["contrast"] = sums[1] / count;
    entry["sharpness"] = sums[2] / count;
  }
  return identical_across_splits;
}

// Near-duplicate pairs (perceptual hash) and those that sit in different splits, with examples.
Json near_duplicates(const std::vector<Sample>& samples, const std::vector<Decoded>& decoded, const StatsOptions& options,
                     int64_t identical_across_splits) {
  std::vector<ImageFingerprint> fingerprints(decoded.size());
  for (size_t index = 0; index < decoded.size(); ++index) fingerprints[index] = decoded[index].fingerprint;
  const auto pairs = near_duplicate_pairs(fingerprints, options.near_distance, options.near_mean_difference, kMaxNearPairs);
  int64_t near_across_splits = 0;
  Json examples = Json::array();
  for (const auto& [first, second] : pairs) {
    if (samples[first].split == samples[second].split) continue;
    ++near_across_splits;
    if (examples.size() < kDuplicateExamples) {
      examples.push_back({{"a", samples[first].origin}, {"b", samples[second].origin},
                          {"splits", {samples[first].split, samples[second].split}}});
    }
  }
  return {{"identical_across_splits", identical_across_splits},
          {"near_pairs", pairs.size()},
          {"near_across_splits", near_across_splits},
          {"near_distance", options.near_distance},
          {"near_mean_difference", options.near_mean_difference},
          {"examples", examples}};
}

}  // namespace

ClassImbalance class_imbalance(const std::vector<int64_t>& samples_per_class) {
  ClassImbalance imbalance;
  if (samples_per_class.empty()) return imbalance;
  const auto [smallest, largest] = std::minmax_element(samples_per_class.begin(), samples_per_class.end());
  if (*smallest == 0) {
    imbalance.warning = true;
    return imbalance;
  }
  imbalance.ratio = static_cast<double>(*largest) / static_cast<double>(*smallest);
  imbalance.warning = *imbalance.ratio > kImbalanceWarningRatio;
  return imbalance;
}

ClassImbalance class_imbalance(Registry& registry, const DatasetVersion& version) {
  std::vector<int64_t> totals(version.classes.size(), 0);
  for (const Sample& sample : DatasetStore(registry).samples(version.id)) {
    if (sample.label >= 0 && sample.label < static_cast<int>(totals.size())) totals[sample.label] += sample.copies;
  }
  return class_imbalance(totals);
}

Json dataset_stats(const Workspace& workspace, Registry& registry, const std::string& reference,
                   const StatsOptions& options, const ProgressCallback& progress) {
  DatasetStore store(registry);
  const DatasetVersion version = store.resolve(reference);
  const std::vector<Sample> samples = store.samples(version.id);
  Json stats = {{"dataset", version.dataset}, {"version", version.number}, {"version_id", version.id},
                {"total", 0}, {"unlabeled", 0}};
  Json classes = count_samples(version, samples, stats);
  Json warnings = Json::array();
  check_balance(classes, stats, warnings);
  Json images = stored_image_counts(store, samples);
  if (options.decode_images) {
    // Sizes and channels as decoded (the formats stay as stored).
    images["sizes"] = Json::object();
    images["channels"] = Json::object();
    const std::vector<Decoded> decoded = decode_all(workspace, samples, options.threads, progress);
    const int64_t identical_across_splits = describe_decoded(version, samples, decoded, images, classes, stats);
    stats["duplicates"] = near_duplicates(samples, decoded, options, identical_across_splits);
    if (identical_across_splits > 0) {
      warnings.push_back(std::to_string(identical_across_splits) +
                         " images appear with identical pixels in different splits (leakage)");
    }
    const int64_t near_across_splits = stats["duplicates"]["near_across_splits"].get<int64_t>();
    if (near_across_splits > 0) {
      warnings.push_back(std::to_string(near_across_splits) + " near-duplicate pairs sit in different splits (possible leakage)");
    }
  }
  stats["classes"] = classes;
  stats["images"] = images;
  stats["warnings"] = warnings;
  return stats;
}

}  // namespace edgeloop
