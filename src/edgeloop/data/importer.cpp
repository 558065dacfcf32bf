#include "edgeloop/data/importer.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/filesystem_guard.h"
#include "edgeloop/core/log.h"
#include "edgeloop/core/stopwatch.h"
#include "edgeloop/core/threads.h"
#include "edgeloop/core/untrusted_image.h"
#include "edgeloop/data/import_source.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/data/object_sweep.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/registered_objects.h"

namespace edgeloop {

namespace fs = std::filesystem;

namespace {

constexpr size_t kItemsPerChunk = 1024;      // items checked in parallel between progress reports
constexpr int kPngCompressionLevel = 1;      // zlib level for PNGs encoded from pixels: fast, lossless
constexpr int kImportCacheKibibytes = 262144;  // SQLite page cache during the import transaction (256 MiB)

// What happened to one item.
struct ItemOutcome {
  ObjectInfo object;          // set when the item was stored
  bool created = false;       // the object was new to the store
  std::string reject_reason;  // set when the item was rejected
};

// Reads, checks and stores one item. Expected failures become a reject reason; only a failing
// object store (disk full) throws.
ItemOutcome process_item(const ImportItem& item, ObjectStore& objects, double max_megapixels) {
  ItemOutcome outcome;
  if (!item.reject_reason.empty()) {
    outcome.reject_reason = item.reject_reason;
    return outcome;
  }
  std::vector<uint8_t> bytes;
  if (!item.pixels.empty()) {
    const std::vector<int> parameters = {cv::IMWRITE_PNG_COMPRESSION, kPngCompressionLevel};
    if (!cv::imencode(".png", item.pixels, bytes, parameters)) {
      outcome.reject_reason = "could not encode the image as PNG";
      return outcome;
    }
    outcome.object = ObjectInfo{"", 0, "png", item.pixels.cols, item.pixels.rows, item.pixels.channels()};
  } else {
    if (!item.encoded.empty()) {
      bytes.assign(item.encoded.begin(), item.encoded.end());
    } else {
      std::error_code error;
      if (fs::is_regular_file(item.file, error) && fs::file_size(item.file, error) == 0) {
        outcome.reject_reason = "empty file";
        return outcome;
      }
      try {
        const std::string content = read_file(item.file);
        bytes.assign(content.begin(), content.end());
      } catch (const Error& read_error) {
        outcome.reject_reason = "unreadable: " + std::string(read_error.what());
        return outcome;
      }
    }
    if (bytes.empty()) {
      outcome.reject_reason = "empty file";
      return outcome;
    }
    const UntrustedImage checked = try_decode_untrusted_image(bytes, max_megapixels, cv::IMREAD_UNCHANGED);
    if (checked.refusal != ImageRefusal::kNone) {
      outcome.reject_reason = checked.reason + (checked.refusal == ImageRefusal::kTooLarge ? " (--max-megapixels)" : "");
      return outcome;
    }
    const cv::Mat& decoded = checked.image;
    outcome.object = ObjectInfo{"", 0, checked.format, decoded.cols, decoded.rows, decoded.channels()};
  }
  const PutResult stored = objects.put(bytes, FileSync::kDeferred);
  outcome.object.hash = stored.hash;
  outcome.object.bytes = static_cast<int64_t>(bytes.size());
  outcome.created = stored.created;
  return outcome;
}

ImportSource read_source(const fs::path& source, const std::string& format, const ImportOptions& options) {
  if (format == "idx") return read_idx_source(source, options);
  if (format == "folder") return read_folder_source(source);
  if (format == "capture") return read_capture_source(source);
  if (format == "csv") return read_csv_source(source);
  return read_video_source(source, options);
}

std::string first_rejects_text(const std::vector<Rejection>& rejects) {
  constexpr size_t kShown = 3;
  std::string text;
  for (size_t index = 0; index < std::min(kShown, rejects.size()); ++index) {
    text += (index ? "; " : "") + rejects[index].path + ": " + rejects[index].reason;
  }
  if (rejects.size() > kShown) text += "; ...";
  return text;
}

int class_index(std::vector<std::string>& classes, const std::string& name) {
  const auto found = std::find(classes.begin(), classes.end(), name);
  if (found != classes.end()) return static_cast<int>(found - classes.begin());
  classes.push_back(name);
  return static_cast<int>(classes.size()) - 1;
}

// Removes the objects `outcomes` created: the import did not complete.
void remove_created_objects(ObjectStore& objects, const std::vector<ItemOutcome>& outcomes) {
  for (const ItemOutcome& outcome : outcomes) {
    if (outcome.created) objects.remove(outcome.object.hash);
  }
}

// Checks and stores every item on options.threads decode workers; outcomes in item order. On an
// error the objects created so far are removed before it propagates.
std::vector<ItemOutcome> store_items(const ImportSource& items, ObjectStore& objects, const ImportOptions& options,
                                     const ProgressCallback& progress) {
  std::vector<ItemOutcome> outcomes(items.items.size());
  const ScopedThreads threads(options.threads);
  try {
    for (size_t begin = 0; begin < items.items.size(); begin += kItemsPerChunk) {
      const size_t end = std::min(items.items.size(), begin + kItemsPerChunk);
      std::mutex failure_mutex;
      std::string failure;
      cv::parallel_for_(cv::Range(static_cast<int>(begin), static_cast<int>(end)), [&](const cv::Range& range) {
        for (int index = range.start; index < range.end; ++index) {
          try {
            outcomes[index] = process_item(items.items[index], objects, options.max_megapixels);
          } catch (const std::exception& error) {
            std::lock_guard<std::mutex> lock(failure_mutex);
            failure = error.what();
          }
        }
      });
      if (!failure.empty()) throw io_error("import stopped: " + failure);
      if (progress) progress(Progress{"import", static_cast<int64_t>(end), static_cast<int64_t>(items.items.size()), ""});
    }
  } catch (...) {
    remove_created_objects(objects, outcomes);
    throw;
  }
  return outcomes;
}

// The new version's samples in item order: the parent's first (with --add), then each stored item;
// a repeated image is a duplicate. Fills `result`'s counts, rejects and duplicates, and
// `new_objects` with the objects the version adds.
NewVersion merge_version(DatasetStore& datasets, const std::optional<DatasetVersion>& parent, const ImportSource& items,
                         const std::vector<ItemOutcome>& outcomes, const ImportOptions& options, ImportResult& result,
                         std::map<std::string, ObjectInfo>& new_objects) {
  NewVersion version;
  version.dataset = options.name;
  version.parent_id = parent ? parent->id : "";
  version.classes = options.add && parent ? parent->classes : std::vector<std::string>{};
  for (const std::string& name : items.classes) class_index(version.classes, name);
  std::unordered_map<std::string, size_t> sample_of_hash;  // object hash → index in version.samples
  if (options.add) {
    for (Sample& sample : datasets.samples(parent->id)) {
      sample_of_hash[sample.object_hash] = version.samples.size();
      version.samples.push_back(std::move(sample));
    }
  }
  for (size_t index = 0; index < outcomes.size(); ++index) {
    const ImportItem& item = items.items[index];
    const ItemOutcome& outcome = outcomes[index];
    if (!outcome.reject_reason.empty()) {
      result.rejects.push_back({item.origin, outcome.reject_reason});
      continue;
    }
    result.objects_created += outcome.created ? 1 : 0;
    const int label = item.label.empty() ? -1 : class_index(version.classes, item.label);
    const auto existing = sample_of_hash.find(outcome.object.hash);
    if (existing != sample_of_hash.end()) {
      const Sample& first = version.samples[existing->second];
      result.duplicates.push_back({item.origin, first.origin, first.label != label});
      continue;
    }
    sample_of_hash[outcome.object.hash] = version.samples.size();
    new_objects[outcome.object.hash] = outcome.object;
    Sample sample;
    sample.object_hash = outcome.object.hash;
    sample.label = label;
    sample.origin = item.origin;
    sample.suggested = item.suggested;
    version.samples.push_back(std::move(sample));
    ++result.imported;
  }
  result.total = static_cast<int64_t>(version.samples.size());
  return version;
}

// The import itself; import_dataset runs it under guard_filesystem.
ImportResult import_unguarded(const Workspace& workspace, Registry& registry, const fs::path& source,
                              const ImportOptions& options, const ProgressCallback& progress) {
  const auto started = std::chrono::steady_clock::now();
  DatasetStore::check_dataset_name(options.name);
  DatasetStore datasets(registry);
  ImportResult result;
  result.format = detect_import_format(source, options.format);
  const std::optional<DatasetVersion> parent = datasets.try_resolve(options.name);
  if (options.add && !parent) {
    throw not_found("--add: there is no dataset `" + options.name + "` to add to: drop --add to create it");
  }

  ImportSource items = read_source(source, result.format, options);
  const auto seconds_since_start = [&] { return seconds_since(started); };
  spdlog::debug("import: {} items read from {} in {:.2f} s", items.items.size(), source.string(), seconds_since_start());
  ObjectStore objects(workspace);
  const ObjectsLock objects_lock(workspace, [&] {
    const std::unordered_set<std::string> registered = registered_object_hashes(registry);
    const int64_t removed =
        remove_unregistered_objects(workspace, [&](const std::string& hash) { return registered.count(hash) > 0; });
    spdlog::debug("import: {} unregistered objects removed (left by a killed import)", removed);
  });
  const std::vector<ItemOutcome> outcomes = store_items(items, objects, options, progress);
  const auto remove_created = [&] { remove_created_objects(objects, outcomes); };
  spdlog::debug("import: items checked and stored at {:.2f} s", seconds_since_start());

  std::map<std::string, ObjectInfo> new_objects;
  NewVersion version = merge_version(datasets, parent, items, outcomes, options, result, new_objects);

  ImportRecord record;
  record.source = fs::absolute(source).lexically_normal().string();
  record.format = result.format;
  record.imported = result.imported;
  record.duplicates = static_cast<int64_t>(result.duplicates.size());
  for (const auto& reject : result.rejects) record.rejects.emplace_back(reject.path, reject.reason);

  if (options.strict && !result.rejects.empty()) {
    remove_created();
    throw invalid_argument("--strict: " + std::to_string(result.rejects.size()) + " file(s) rejected, nothing stored (" +
                           first_rejects_text(result.rejects) + "): fix or remove them, or drop --strict");
  }
  if (result.imported == 0 && !(options.add && !result.duplicates.empty())) {
    remove_created();
    registry.in_transaction([&](SQLite::Database&) { datasets.add_import(record); });
    throw invalid_argument("nothing could be imported from " + source.string() +
                           (result.rejects.empty() ? std::string(": it holds no images")
                                                   : " (" + std::to_string(result.rejects.size()) + " rejected: " +
                                                         first_rejects_text(result.rejects) + ")"));
  }

  version.change = std::string(options.add ? "add " : "import ") + record.source + " (" + result.format + ")";
  version.details = Json{{"import", {{"source", record.source}, {"format", result.format}, {"imported", result.imported},
                                     {"duplicates", record.duplicates}, {"rejected", record.rejects.size()}}}};
  // The old samples keep their splits; carrying the split options lets `data split` top them up.
  if (options.add && parent->details.contains("split")) version.details["split"] = parent->details["split"];
  std::vector<ObjectInfo> object_rows;
  object_rows.reserve(new_objects.size());
  for (auto& [hash, object] : new_objects) object_rows.push_back(object);
  try {
    if (options.durable) objects.sync();  // every object durable before the registry refers to it
    spdlog::debug("import: objects synced at {:.2f} s", seconds_since_start());
    // A large import's index pages stay in memory instead of spilling into the WAL mid-transaction.
    registry.database().exec("PRAGMA cache_size = -" + std::to_string(kImportCacheKibibytes));  // negative: KiB
    registry.in_transaction([&](SQLite::Database&) {
      datasets.add_objects(object_rows);
      result.version = datasets.add_version(version);
      record.version_id = result.version.id;
      datasets.add_import(record);
      if (progress) progress(Progress{"register", result.total, result.total, ""});
    });
  } catch (...) {
    remove_created();
    throw;
  }
  result.seconds = seconds_since_start();
  spdlog::debug("import: registered at {:.2f} s", result.seconds);
  return result;
}

}  // namespace

ImportResult import_dataset(const Workspace& workspace, Registry& registry, const fs::path& source,
                            const ImportOptions& options, const ProgressCallback& progress) {
  return guard_filesystem([&] { return import_unguarded(workspace, registry, source, options, progress); });
}

}  // namespace edgeloop
