// TensorCache: every sample of a dataset version, decoded and preprocessed once to the 8-bit
// model input (Pipeline::apply_uint8), in one file keyed by (dataset version, preprocessing hash)
// under Workspace::cache_dir(), memory-mapped for reading. Training reads pixels from here, never
// from the object store. Layout (little endian):
//   magic "ELTCACH1" | int64 count | int32 channels, height, width | 64-char sha256 of the ordered
//   object hashes | count × (height × width × channels) uint8, HWC, in DatasetStore::samples order.
// Built by build_tensor_cache (threads decode in parallel); a TensorCache is read-only and
// thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "edgeloop/core/progress.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/preprocess/pipeline.h"

namespace edgeloop {

class TensorCache {
 public:
  // Maps the file; throws Error(kCorrupt) naming it when it is truncated or not a cache.
  static std::shared_ptr<TensorCache> open(const std::filesystem::path& path);
  ~TensorCache();
  TensorCache(const TensorCache&) = delete;
  TensorCache& operator=(const TensorCache&) = delete;

  int64_t count() const { return count_; }
  InputShape shape() const { return shape_; }
  int64_t image_bytes() const { return static_cast<int64_t>(shape_.channels) * shape_.height * shape_.width; }
  const uint8_t* image(int64_t index) const { return pixels_ + index * image_bytes(); }   // HWC uint8
  const std::string& samples_digest() const { return digest_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  TensorCache() = default;
  std::filesystem::path path_;
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  int64_t count_ = 0;
  InputShape shape_;
  std::string digest_;
  const uint8_t* pixels_ = nullptr;
};

// The cache file for (version, preprocessing hash).
std::filesystem::path tensor_cache_path(const Workspace& workspace, const std::string& version_id,
                                        const std::string& preprocess_hash);
// sha256 over the object hashes in order: ties a cache to the sample list it was built from.
std::string samples_digest(const std::vector<std::string>& object_hashes);

// Decodes each object (ObjectStore), applies pipeline.apply_uint8 and writes the cache atomically.
// Returns the opened cache. When a valid cache for the same samples exists it is reused.
std::shared_ptr<TensorCache> build_tensor_cache(const Workspace& workspace, const std::string& version_id,
                                                const std::vector<std::string>& object_hashes, const Pipeline& pipeline,
                                                int threads, const ProgressCallback& progress);

}  // namespace edgeloop
