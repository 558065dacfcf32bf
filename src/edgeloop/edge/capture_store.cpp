#include "edgeloop/edge/capture_store.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include <spdlog/spdlog.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/input_limits.h"
#include "edgeloop/core/leftover_files.h"

namespace edgeloop {
namespace {

constexpr const char* kSidecarExtension = ".json";
constexpr size_t kMillisecondDigits = 13;
constexpr size_t kFrameDigits = 9;

int64_t file_size_or_zero(const std::filesystem::path& path) {
  std::error_code error;
  auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<int64_t>(size);
}

}  // namespace

std::string capture_stem(int64_t wall_milliseconds, int64_t frame) {
  char stem[64];
  std::snprintf(stem, sizeof(stem), "%0*lld-%0*lld", static_cast<int>(kMillisecondDigits),
                static_cast<long long>(wall_milliseconds), static_cast<int>(kFrameDigits), static_cast<long long>(frame));
  return stem;
}

bool is_capture_stem(const std::string& stem) {
  if (stem.size() != kMillisecondDigits + 1 + kFrameDigits || stem[kMillisecondDigits] != '-') return false;
  for (size_t index = 0; index < stem.size(); ++index) {
    if (index != kMillisecondDigits && !std::isdigit(static_cast<unsigned char>(stem[index]))) return false;
  }
  return true;
}

CaptureOptions capture_options_from_json(const Json& value, CaptureOptions defaults) {
  CaptureOptions options = defaults;
  if (!value.is_object()) return options;
  try {
    if (value.contains("directory")) options.directory = value["directory"].get<std::string>();
    options.low_confidence_below = value.value("low_confidence_below", options.low_confidence_below);
    options.drift_rate = value.value("drift_rate", options.drift_rate);
    options.random_rate = value.value("random_rate", options.random_rate);
    options.per_class_quota = value.value("per_class_quota", options.per_class_quota);
    options.max_per_minute = value.value("max_per_minute", options.max_per_minute);
    options.max_bytes = value.value("max_bytes", options.max_bytes);
    // nlohmann's get<unsigned>() of -1.5 is undefined behaviour: refuse a negative seed first.
    if (value.contains("seed") && value["seed"].is_number() && value["seed"].get<double>() < 0) {
      throw invalid_argument("capture settings: seed must be 0 or more");
    }
    options.seed = value.value("seed", options.seed);
  } catch (const nlohmann::json::exception& error) {
    throw invalid_argument(std::string("capture settings: ") + error.what() + ": give numbers (directory: a path)");
  }
  if (options.drift_rate < 0 || options.drift_rate > 1 || options.random_rate < 0 || options.random_rate > 1 ||
      options.per_class_quota < 0 || options.max_bytes <= 0 || options.max_per_minute < 0 ||
      options.low_confidence_below < 0 || options.low_confidence_below > 1) {
    throw invalid_argument("capture settings out of range: rates and low_confidence_below in 0..1, per_class_quota >= 0, "
                           "max_per_minute >= 0, max_bytes > 0");
  }
  return options;
}

Json to_json(const CaptureOptions& options) {
  return Json{{"directory", options.directory.string()},   {"low_confidence_below", options.low_confidence_below},
              {"drift_rate", options.drift_rate},           {"random_rate", options.random_rate},
              {"per_class_quota", options.per_class_quota}, {"max_per_minute", options.max_per_minute},
              {"max_bytes", options.max_bytes},
              {"seed", options.seed}};
}

std::optional<std::string> CapturePolicy::decide(const CaptureCandidate& candidate, int64_t stored_for_label) {
  // A failed camera's frames (black, saturated, frozen) teach a model nothing: the health event
  // reports them, and the capture quota stays for frames worth labelling.
  if (candidate.camera_failed) return std::nullopt;
  if (options_.per_class_quota > 0 && stored_for_label >= options_.per_class_quota) return std::nullopt;
  constexpr double kRateWindowSeconds = 60.0;
  while (!recent_.empty() && recent_.front() <= candidate.seconds - kRateWindowSeconds) recent_.pop_front();
  if (options_.max_per_minute > 0 && recent_.size() >= static_cast<size_t>(options_.max_per_minute)) return std::nullopt;
  const double draw = uniform_(generator_);
  std::optional<std::string> reason;
  if (candidate.score < options_.low_confidence_below) reason = "low_confidence";
  else if (candidate.drift_active && draw < options_.drift_rate) reason = "drift";
  else if (draw < options_.random_rate) reason = "random";
  if (reason) recent_.push_back(candidate.seconds);
  return reason;
}

CaptureStore::CaptureStore(std::filesystem::path directory, int64_t max_bytes)
    : directory_(std::move(directory)), max_bytes_(max_bytes) {
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error) throw io_error("capture folder " + directory_.string() + ": " + error.message() + ": choose a writable folder");
  sweep_leftovers(directory_, /*recursive=*/false);
  // Index complete captures (a sidecar and its image), oldest first by stem.
  std::map<std::string, std::filesystem::path> images;
  std::vector<std::filesystem::path> sidecars;
  for (const auto& entry : std::filesystem::directory_iterator(directory_)) {
    if (!entry.is_regular_file()) continue;
    const std::filesystem::path& path = entry.path();
    if (path.filename().string().starts_with(".")) continue;   // temp files of atomic writes in progress
    if (path.extension() == kSidecarExtension) sidecars.push_back(path); else images[path.stem().string()] = path;
  }
  std::sort(sidecars.begin(), sidecars.end());
  std::set<std::string> sidecar_stems;
  for (const std::filesystem::path& sidecar_path : sidecars) sidecar_stems.insert(sidecar_path.stem().string());
  int swept = 0;
  for (const auto& [stem, image] : images) {
    if (!is_capture_stem(stem) || sidecar_stems.contains(stem)) continue;
    std::error_code error;
    if (std::filesystem::remove(image, error)) ++swept;
  }
  if (swept > 0) {
    spdlog::info("capture folder {}: removed {} image(s) whose sidecar a stopped device never wrote", directory_.string(),
                 swept);
  }
  for (const std::filesystem::path& sidecar_path : sidecars) {
    auto image = images.find(sidecar_path.stem().string());
    if (image == images.end()) continue;
    CaptureRecord record;
    record.stem = sidecar_path.stem().string();
    record.image_file = image->second.filename().string();
    record.bytes = file_size_or_zero(sidecar_path) + file_size_or_zero(image->second);
    try {
      record.label = load_json_file_limited(sidecar_path).value("label", "");
    } catch (const std::exception&) {
      spdlog::warn("capture sidecar {} does not parse; counted without a label", sidecar_path.string());
    }
    stored_bytes_ += record.bytes;
    ++per_label_[record.label];
    records_.push_back(std::move(record));
  }
}

int64_t CaptureStore::stored_for_label(const std::string& label) const {
  auto found = per_label_.find(label);
  return found == per_label_.end() ? 0 : found->second;
}

void CaptureStore::evict_oldest() {
  const CaptureRecord& oldest = records_.front();
  std::error_code error;
  // Sidecar first: an image without a sidecar is not a capture, so a crash here leaves no half.
  std::filesystem::remove(directory_ / (oldest.stem + kSidecarExtension), error);
  std::filesystem::remove(directory_ / oldest.image_file, error);
  stored_bytes_ -= oldest.bytes;
  --per_label_[oldest.label];
  ++evicted_;
  records_.pop_front();
}

std::optional<CaptureRecord> CaptureStore::save(const std::string& stem, const std::string& extension,
                                                const std::vector<uint8_t>& image_bytes, const Json& sidecar) {
  const std::string sidecar_text = sidecar.dump(2) + "\n";
  CaptureRecord record;
  record.stem = stem;
  record.image_file = stem + extension;
  record.bytes = static_cast<int64_t>(image_bytes.size() + sidecar_text.size());
  record.label = sidecar.value("label", "");
  if (record.bytes > max_bytes_) return std::nullopt;
  while (!records_.empty() && stored_bytes_ + record.bytes > max_bytes_) evict_oldest();
  write_file_atomically(directory_ / record.image_file, std::span<const uint8_t>(image_bytes));
  write_file_atomically(directory_ / (stem + kSidecarExtension), sidecar_text);
  stored_bytes_ += record.bytes;
  ++per_label_[record.label];
  records_.push_back(record);
  return record;
}

}  // namespace edgeloop
