// Options and result of `edgeloop data import` (data/importer.h). The CLI fills ImportOptions;
// the library takes them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "edgeloop/core/image_probe.h"
#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {

struct ImportOptions {
  std::string name;                      // dataset name; required
  std::string format = "auto";           // auto | idx | folder | csv | video | capture
  bool add = false;                      // true: the new version holds the newest version's samples too
  bool strict = false;                   // true: any rejected file fails the import and nothing is stored
  double max_megapixels = kDefaultMaxMegapixels;  // images larger than this (from the header) are rejected
  std::filesystem::path labels_file;     // IDX only: class names, one per line, in label order; empty: known names
  int video_every = 0;                   // video only: keep every N-th frame; 0: use video_rate
  double video_rate = 1.0;               // video only: frames kept per second of video when video_every is 0
  int threads = 0;                       // worker threads for reading, checking and encoding; 0: all cores
  bool durable = true;                   // flush the new objects to disk (one syncfs) before the registry
                                         // commit, so a power cut cannot leave a version pointing at lost
                                         // objects; false only where the data is throwaway (tests)
};

// A skipped file and why.
struct Rejection {
  std::string path;    // the file (or "video#frame=N", "manifest.csv:12")
  std::string reason;  // e.g. "truncated image (no end marker)", "image is 120.0 MP, over the 50 MP limit"
};

// A file whose image was already in the dataset (stored once).
struct Duplicate {
  std::string path;          // the file skipped
  std::string duplicate_of;  // the sample it repeats (its origin)
  bool label_differs = false;  // true when the two carry different labels (the first one is kept)
};

struct ImportResult {
  DatasetVersion version;            // the version made (or the identical one that existed)
  std::string format;                // the format used (after auto detection)
  int64_t imported = 0;              // new samples in this version
  int64_t total = 0;                 // all samples in the version
  int64_t objects_created = 0;       // images new to the object store
  std::vector<Duplicate> duplicates;
  std::vector<Rejection> rejects;
  double seconds = 0;                // wall time of the import
};

}  // namespace edgeloop
