#include "edgeloop/data/object_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/filesystem_guard.h"
#include "edgeloop/core/leftover_files.h"
#include "edgeloop/core/hash.h"

namespace edgeloop {

namespace fs = std::filesystem;

namespace {

// Temp name unique per process and call, beside the target so the rename stays in one directory.
fs::path new_temporary_path(const fs::path& target) {
  static std::atomic<uint64_t> counter{0};
  return temporary_path_for(target, ::getpid(), counter++);
}

void write_then_rename(const fs::path& target, std::span<const uint8_t> bytes) {
  std::error_code ignored;
  const fs::path temporary = new_temporary_path(target);
  constexpr int kCreateFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  constexpr mode_t kFileMode = 0644;
  int fd = ::open(temporary.c_str(), kCreateFlags, kFileMode);
  if (fd < 0 && errno == ENOENT) {  // the first object under this prefix: make its folder
    fs::create_directories(target.parent_path(), ignored);
    fd = ::open(temporary.c_str(), kCreateFlags, kFileMode);
  }
  if (fd < 0) throw disk_error("cannot create", temporary, errno);
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t result = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (result < 0 && errno == EINTR) continue;
    if (result < 0) {
      const int error_number = errno;
      ::close(fd);
      fs::remove(temporary, ignored);
      throw disk_error("cannot write", target, error_number);
    }
    written += static_cast<size_t>(result);
  }
  if (::close(fd) != 0) {
    const int error_number = errno;
    fs::remove(temporary, ignored);
    throw disk_error("cannot write", target, error_number);
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    const int error_number = errno;
    fs::remove(temporary, ignored);
    throw disk_error("cannot rename onto", target, error_number);
  }
}

}  // namespace

PutResult ObjectStore::put(std::span<const uint8_t> bytes, Durability durability) {
  PutResult result;
  result.hash = sha256_hex(bytes);
  const fs::path target = workspace_.object_path(result.hash);
  std::error_code error;
  if (fs::exists(target, error)) return result;
  if (durability == Durability::kSyncEach) {
    write_file_atomically(target, bytes);
  } else {
    write_then_rename(target, bytes);
  }
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
  cv::Mat image;
  try {
    image = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data())), imread_flags);
  } catch (const cv::Exception& error) {
    image.release();
  }
  if (image.empty()) {
    throw corrupt("object " + workspace_.object_path(hash).string() +
                  " does not decode as an image: the object store was damaged; re-import the dataset that holds it");
  }
  return image;
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
