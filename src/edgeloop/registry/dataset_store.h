// DatasetStore: typed access to the data tables of the registry (datasets, objects,
// dataset_versions, version_samples, imports, rejects; schema in migrations.cpp and
// docs/formats.md). Callers: data/ (import, split, balance, stats), train/ (reads a version's
// samples), eval/ and export/ (class names, lineage). Reads may run anywhere; every write method
// must run inside Registry::in_transaction so that one command's change is one transaction.
// Not thread-safe: like its Registry, use one per thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {

// Split names as stored in version_samples.split.
inline constexpr const char* kSplitTrain = "train";
inline constexpr const char* kSplitVal = "val";
inline constexpr const char* kSplitTestPrefix = "test:";  // followed by the test set's name
inline constexpr const char* kSplitNone = "";             // not split yet

// One immutable version of a dataset: NAME@number.
struct DatasetVersion {
  std::string id;                    // sha256 of the name and the sorted sample rows
  std::string dataset;               // the dataset's name
  int number = 0;                    // 1, 2, ... within the dataset
  std::string parent_id;             // the version it was made from; empty for a first import
  std::string created_at;            // UTC, ISO 8601
  std::string change;                // what made it, e.g. "import /data (idx)", "split val=0.1 test=0.1"
  std::vector<std::string> classes;  // class names; a sample's label indexes this
  Json details = Json::object();     // split parameters, import summary, ...

  std::string reference() const { return dataset + "@" + std::to_string(number); }
};

// One sample of a version.
struct Sample {
  std::string object_hash;  // sha256 of the stored image bytes; decode with data/object_store.h
  int label = -1;           // index into DatasetVersion::classes; -1 when unlabeled
  std::string split;        // "train", "val", "test:<name>", or "" before a split
  std::string origin;       // where it came from: "train#5"/"t10k#5" (IDX file and index), a path relative to
                            // the import source, "clip.mp4#frame=30"
  int copies = 1;           // how many times it counts in training (> 1 after oversampling)
  std::string suggested;    // JSON text of a suggested label (captures), empty when none
};

// What the object store holds for one hash.
struct ObjectInfo {
  std::string hash;     // sha256 of the stored bytes
  int64_t bytes = 0;    // stored size
  std::string format;   // png, jpg, bmp, tiff, webp
  int width = 0;        // pixels
  int height = 0;       // pixels
  int channels = 0;     // 1, 3 or 4 as decoded
};

// A new version to record; its id and number are computed by add_version.
struct NewVersion {
  std::string dataset;
  std::string parent_id;             // empty for a first import
  std::string change;
  std::vector<std::string> classes;
  Json details = Json::object();
  std::vector<Sample> samples;       // one per object hash (duplicates are an error)
};

// An import and the files it skipped, for `data show`.
struct ImportRecord {
  std::string version_id;                                     // empty when nothing was imported
  std::string source;                                         // the path given to `data import`
  std::string format;                                         // idx, folder, csv, video, capture
  int64_t imported = 0;                                       // new samples in the version
  int64_t duplicates = 0;                                     // files whose image was already there
  std::vector<std::pair<std::string, std::string>> rejects;   // (path, reason)
};

class DatasetStore {
 public:
  explicit DatasetStore(Registry& registry) : registry_(registry) {}

  // "NAME" (its newest version) or "NAME@N". Throws Error(kNotFound) naming what exists.
  DatasetVersion resolve(const std::string& reference);
  std::optional<DatasetVersion> try_resolve(const std::string& reference);
  std::optional<DatasetVersion> find_version(const std::string& version_id);
  std::vector<std::string> dataset_names();
  std::vector<DatasetVersion> versions(const std::string& dataset);  // oldest first

  // Samples of a version in object-hash order; `split` filters ("" = all, "test:" = every test set).
  std::vector<Sample> samples(const std::string& version_id, const std::string& split_filter = "");
  std::optional<ObjectInfo> object(const std::string& object_hash);
  std::vector<ImportRecord> imports(const std::string& version_id);

  // --- writes: call inside Registry::in_transaction ---
  // Records objects not yet known (known hashes are skipped).
  void add_objects(const std::vector<ObjectInfo>& objects);
  // Creates the dataset if new and records the version. When an identical version (same id)
  // exists already, nothing is written and that version is returned.
  DatasetVersion add_version(const NewVersion& version);
  // Records an import with its rejects; `version_id` may be empty.
  void add_import(const ImportRecord& record);

  // The version id: sha256 over the dataset name and the rows sorted by object hash.
  static std::string version_id_for(const std::string& dataset, std::vector<Sample> samples);
  // Checks a dataset name: letters, digits, '-', '_', '.'; throws Error(kInvalidArgument).
  static void check_dataset_name(const std::string& name);

 private:
  Registry& registry_;
};

}  // namespace edgeloop
