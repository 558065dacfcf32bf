#include "edgeloop/train/tensor_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/core/threads.h"
#include "edgeloop/data/object_store.h"

namespace edgeloop {

namespace {

constexpr char kMagic[8] = {'E', 'L', 'T', 'C', 'A', 'C', 'H', '1'};
constexpr size_t kDigestChars = 64;
constexpr size_t kHeaderBytes = sizeof(kMagic) + sizeof(int64_t) + 3 * sizeof(int32_t) + kDigestChars;
constexpr size_t kKeyHexDigits = 16;
constexpr int64_t kProgressEvery = 256;   // samples between progress reports

}  // namespace

std::shared_ptr<TensorCache> TensorCache::open(const std::filesystem::path& path) {
  const auto fail = [&](const std::string& why) {
    return corrupt("tensor cache " + path.string() + " is damaged (" + why + "): delete it and it is rebuilt");
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw not_found("tensor cache " + path.string() + " cannot be opened: " + std::strerror(errno));
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < static_cast<off_t>(kHeaderBytes)) {
    ::close(fd);
    throw fail("shorter than its header");
  }
  void* mapping = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (mapping == MAP_FAILED) throw io_error("cannot map " + path.string() + ": " + std::strerror(errno));
  std::shared_ptr<TensorCache> cache(new TensorCache());
  cache->path_ = path;
  cache->mapping_ = mapping;
  cache->mapping_size_ = static_cast<size_t>(size);
  const auto* bytes = static_cast<const uint8_t*>(mapping);
  if (std::memcmp(bytes, kMagic, sizeof(kMagic)) != 0) throw fail("not an edgeloop tensor cache");
  size_t offset = sizeof(kMagic);
  std::memcpy(&cache->count_, bytes + offset, sizeof(int64_t));
  offset += sizeof(int64_t);
  int32_t dimensions[3];
  std::memcpy(dimensions, bytes + offset, sizeof(dimensions));
  offset += sizeof(dimensions);
  cache->shape_ = InputShape{dimensions[0], dimensions[1], dimensions[2]};
  cache->digest_.assign(reinterpret_cast<const char*>(bytes + offset), kDigestChars);
  offset += kDigestChars;
  cache->pixels_ = bytes + offset;
  if (cache->count_ < 0 || kHeaderBytes + cache->count_ * cache->image_bytes() != cache->mapping_size_) {
    throw fail("its size does not match its header");
  }
  ::madvise(mapping, cache->mapping_size_, MADV_WILLNEED);
  return cache;
}

TensorCache::~TensorCache() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
}

std::filesystem::path tensor_cache_path(const Workspace& workspace, const std::string& version_id,
                                        const std::string& preprocess_hash) {
  return workspace.cache_dir() /
         ("tensors-" + version_id.substr(0, kKeyHexDigits) + "-" + preprocess_hash.substr(0, kKeyHexDigits) + ".u8");
}

std::string samples_digest(const std::vector<std::string>& object_hashes) {
  Sha256 digest;
  for (const std::string& hash : object_hashes) {
    digest.update(hash);
    digest.update("\n");
  }
  return digest.hex_digest();
}

std::shared_ptr<TensorCache> build_tensor_cache(const Workspace& workspace, const std::string& version_id,
                                                const std::vector<std::string>& object_hashes, const Pipeline& pipeline,
                                                int threads, const ProgressCallback& progress) {
  const auto path = tensor_cache_path(workspace, version_id, pipeline.hash());
  const std::string digest = samples_digest(object_hashes);
  if (std::filesystem::exists(path)) {
    try {
      auto cache = TensorCache::open(path);
      if (cache->samples_digest() == digest && cache->shape().channels == pipeline.output_shape().channels) return cache;
    } catch (const Error&) {
      // A damaged cache is rebuilt below.
    }
  }
  const InputShape shape = pipeline.output_shape();
  const int64_t count = static_cast<int64_t>(object_hashes.size());
  const int64_t image_bytes = static_cast<int64_t>(shape.channels) * shape.height * shape.width;
  std::vector<uint8_t> file(kHeaderBytes + count * image_bytes);
  std::memcpy(file.data(), kMagic, sizeof(kMagic));
  size_t offset = sizeof(kMagic);
  std::memcpy(file.data() + offset, &count, sizeof(count));
  offset += sizeof(count);
  const int32_t dimensions[3] = {shape.channels, shape.height, shape.width};
  std::memcpy(file.data() + offset, dimensions, sizeof(dimensions));
  offset += sizeof(dimensions);
  std::memcpy(file.data() + offset, digest.data(), kDigestChars);
  uint8_t* pixels = file.data() + kHeaderBytes;

  const ObjectStore objects(workspace);
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::mutex failure_mutex;
  std::optional<Error> failure;
  const auto work = [&] {
    for (int64_t index = next++; index < count; index = next++) {
      try {
        const cv::Mat prepared = pipeline.apply_uint8(objects.decode(object_hashes[index]));
        if (prepared.rows != shape.height || prepared.cols != shape.width || prepared.channels() != shape.channels ||
            prepared.depth() != CV_8U) {
          throw invalid_argument("object " + object_hashes[index] + " preprocesses to " + std::to_string(prepared.cols) +
                                 "x" + std::to_string(prepared.rows) + "x" + std::to_string(prepared.channels()) +
                                 ", not the pipeline's shape: fix the preprocess spec");
        }
        const cv::Mat continuous = prepared.isContinuous() ? prepared : prepared.clone();
        std::memcpy(pixels + index * image_bytes, continuous.data, image_bytes);
      } catch (const Error& error) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = error;
        next = count;
      } catch (const cv::Exception& error) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = invalid_argument("object " + object_hashes[index] + ": " + error.what());
        next = count;
      }
      if (++done % kProgressEvery == 0 && progress) progress(Progress{"cache", done, count, ""});
    }
  };
  std::vector<std::thread> workers;
  for (int worker = 0; worker < resolve_thread_count(threads); ++worker) workers.emplace_back(work);
  for (auto& worker : workers) worker.join();
  if (failure) throw *failure;
  if (progress) progress(Progress{"cache", count, count, ""});
  write_file_atomically(path, std::span<const uint8_t>(file));
  return TensorCache::open(path);
}

}  // namespace edgeloop
