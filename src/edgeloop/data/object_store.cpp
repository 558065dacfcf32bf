#include "edgeloop/data/object_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/filesystem_guard.h"
#include "edgeloop/core/leftover_files.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/core/untrusted_image.h"

namespace edgeloop {

namespace fs = std::filesystem;

namespace {

// Objects passed the import's pixel cap, which --max-megapixels may have raised, so the store
// applies only OpenCV's own ceiling (CV_IO_MAX_IMAGE_PIXELS, 2^30 pixels); the format allow-list
// and the size checks run again because the folder can be altered after the import.
constexpr double kStoredImageMaxMegapixels = 1073.741824;

}  // namespace

PutResult ObjectStore::put(std::span<const uint8_t> bytes, FileSync sync) {
  PutResult result;
  result.hash = sha256_hex(bytes);
  const fs::path target = workspace_.object_path(result.hash);
  std::error_code error;
  if (fs::exists(target, error)) return result;
  write_file_atomically(target, bytes, sync);
  result.created = true;
  return result;
}

void ObjectStore::sync() {
  const int fd = ::open(workspace_.objects_dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw disk_error("cannot open", workspace_.objects_dir(), errno);
  const int result = ::syncfs(fd);
  const int error_number = errno;
  ::close(fd);
  if (result != 0) throw disk_error("cannot sync", workspace_.objects_dir(), error_number);
}

bool ObjectStore::contains(const std::string& hash) const {
  std::error_code error;
  return fs::exists(workspace_.object_path(hash), error);
}

std::string ObjectStore::read(const std::string& hash) const {
  const fs::path path = workspace_.object_path(hash);
  if (!contains(hash)) {
    throw not_found("object " + hash + " is missing from " + workspace_.objects_dir().string() +
                    ": the object store was damaged; re-import the dataset that holds it");
  }
  return read_file(path);
}

cv::Mat ObjectStore::decode(const std::string& hash, int imread_flags) const {
  const std::string bytes = read(hash);
  UntrustedImage decoded = try_decode_untrusted_image(encoded_bytes(bytes), kStoredImageMaxMegapixels, imread_flags);
  if (decoded.refusal != ImageRefusal::kNone) {
    throw corrupt("object " + workspace_.object_path(hash).string() + " does not decode as an image (" + decoded.reason +
                  "): the object store was damaged; re-import the dataset that holds it");
  }
  return std::move(decoded.image);
}

bool ObjectStore::verify(const std::string& hash) const {
  if (!contains(hash)) return false;
  return sha256_file(workspace_.object_path(hash)) == hash;
}

void ObjectStore::remove(const std::string& hash) {
  std::error_code ignored;
  fs::remove(workspace_.object_path(hash), ignored);
}

}  // namespace edgeloop
