// ObjectStore: the workspace's content-addressed image blobs (.edgeloop/objects/ab/cdef…, named
// by the sha256 of their bytes; paths come only from Workspace::object_path). An identical image
// is stored once. Writes go to a temporary file and are renamed into place, so a reader sees a
// whole object or none. Callers: the importers (put), train/ and stats (decode). Thread-safe:
// distinct threads may put and read concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <opencv2/core.hpp>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/workspace.h"

namespace edgeloop {

struct PutResult {
  std::string hash;      // sha256 hex of the bytes
  bool created = false;  // false when the object was already stored (a duplicate)
};

class ObjectStore {
 public:
  explicit ObjectStore(Workspace workspace) : workspace_(std::move(workspace)) {}

  // FileSync::kDeferred (bulk imports): no fsync per object; call sync() once before the registry
  // refers to them.
  PutResult put(std::span<const uint8_t> bytes, FileSync sync = FileSync::kNow);
  // Makes every deferred write durable (syncfs of the store's filesystem). Throws Error(kIo).
  void sync();

  bool contains(const std::string& hash) const;
  // The stored bytes; throws Error(kNotFound) when absent, naming the object and the fix.
  std::string read(const std::string& hash) const;
  // Decoded through decode_untrusted_image (core/untrusted_image.h) with cv::imdecode `flags`
  // (default: as stored, 8-bit gray/BGR/BGRA). Throws Error(kNotFound) when absent and
  // Error(kCorrupt) when the bytes are refused or do not decode.
  cv::Mat decode(const std::string& hash, int imread_flags = -1) const;
  // True when the stored bytes still hash to `hash`.
  bool verify(const std::string& hash) const;
  // Deletes an object (used to undo the objects a failed import created). Missing is fine.
  void remove(const std::string& hash);

  const Workspace& workspace() const { return workspace_; }

 private:
  Workspace workspace_;
};

}  // namespace edgeloop
