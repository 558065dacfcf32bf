#include "edgeloop/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

std::string errno_text(int error_number) {
  if (error_number == ENOSPC) return "the disk is full: free space and try again";
  return std::strerror(error_number);
}

std::filesystem::path temporary_path_for(const std::filesystem::path& target) {
  static std::atomic<uint64_t> counter{0};
  std::ostringstream name;
  name << "." << target.filename().string() << ".tmp." << ::getpid() << "." << counter++;
  return target.parent_path() / name.str();
}

void write_all(int fd, const uint8_t* data, size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw io_error("cannot write " + path.string() + ": " + errno_text(errno));
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

void write_file_atomically(const std::filesystem::path& target, std::span<const uint8_t> bytes) {
  std::error_code ignored;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ignored);
  const std::filesystem::path temporary = temporary_path_for(target);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error("cannot create " + temporary.string() + ": " + errno_text(errno));
  try {
    write_all(fd, bytes.data(), bytes.size(), target);
    if (::fsync(fd) != 0) throw io_error("cannot sync " + target.string() + ": " + errno_text(errno));
  } catch (...) {
    ::close(fd);
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    int error_number = errno;
    std::filesystem::remove(temporary, ignored);
    throw io_error("cannot rename onto " + target.string() + ": " + errno_text(error_number));
  }
  sync_directory(target.parent_path());
}

void write_file_atomically(const std::filesystem::path& target, std::string_view text) {
  write_file_atomically(target, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error("cannot read " + path.string() + ": check that it exists and is readable");
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) throw io_error("read failed on " + path.string());
  return contents.str();
}

void copy_file_atomically(const std::filesystem::path& source, const std::filesystem::path& target) {
  write_file_atomically(target, read_file(source));
}

}  // namespace edgeloop
