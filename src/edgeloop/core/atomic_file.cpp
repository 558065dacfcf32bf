#include "edgeloop/core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "edgeloop/core/error.h"
#include "edgeloop/core/filesystem_guard.h"
#include "edgeloop/core/leftover_files.h"

namespace edgeloop {

namespace {

std::filesystem::path new_temporary_path(const std::filesystem::path& target) {
  static std::atomic<uint64_t> counter{0};
  return temporary_path_for(target, ::getpid(), counter++);
}

Error not_a_regular_file(const std::filesystem::path& path, std::filesystem::file_type type) {
  std::string kind = "not a regular file";
  if (type == std::filesystem::file_type::fifo) kind += " (a FIFO)";
  if (type == std::filesystem::file_type::socket) kind += " (a socket)";
  if (type == std::filesystem::file_type::directory) kind += " (a folder)";
  if (type == std::filesystem::file_type::character || type == std::filesystem::file_type::block) kind += " (a device)";
  return invalid_argument(path.string() + " is " + kind + ": pass a regular file");
}

void write_all(int fd, const uint8_t* data, size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw disk_error("cannot write", path, errno);
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
}

}  // namespace

void sync_directory(const std::filesystem::path& directory) {
  int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // some filesystems refuse to open directories; the rename still happened
  ::fsync(fd);
  ::close(fd);
}

void write_file_atomically(const std::filesystem::path& target, std::span<const uint8_t> bytes, FileSync sync) {
  std::error_code ignored;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ignored);
  const std::filesystem::path temporary = new_temporary_path(target);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw disk_error("cannot create", temporary, errno);
  try {
    write_all(fd, bytes.data(), bytes.size(), target);
    if (sync == FileSync::kNow && ::fsync(fd) != 0) throw disk_error("cannot sync", target, errno);
  } catch (...) {
    ::close(fd);
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  if (::close(fd) != 0) {
    const int error_number = errno;
    std::filesystem::remove(temporary, ignored);
    throw disk_error("cannot write", target, error_number);
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    int error_number = errno;
    std::filesystem::remove(temporary, ignored);
    throw disk_error("cannot rename onto", target, error_number);
  }
  if (sync == FileSync::kNow) sync_directory(target.parent_path());
}

void write_file_atomically(const std::filesystem::path& target, std::string_view text) {
  write_file_atomically(target, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::string read_file(const std::filesystem::path& path) {
  // A FIFO, socket or device is refused from its status, before it is opened: opening a FIFO for
  // reading blocks until a writer appears. O_NONBLOCK covers a file swapped in after the check.
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error) throw disk_error("cannot read", path, error);
  if (!std::filesystem::is_regular_file(status)) throw not_a_regular_file(path, status.type());
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw disk_error("cannot read", path, errno);
  struct stat opened {};
  if (::fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode)) {
    ::close(fd);
    throw not_a_regular_file(path, std::filesystem::file_type::unknown);
  }
  std::string contents;
  contents.reserve(static_cast<size_t>(opened.st_size));
  char buffer[1 << 16];
  while (true) {
    const ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      const int error_number = errno;
      ::close(fd);
      throw disk_error("cannot read", path, error_number);
    }
    if (count == 0) break;
    contents.append(buffer, static_cast<size_t>(count));
  }
  ::close(fd);
  return contents;
}

void copy_file_atomically(const std::filesystem::path& source, const std::filesystem::path& target) {
  write_file_atomically(target, read_file(source));
}

}  // namespace edgeloop
