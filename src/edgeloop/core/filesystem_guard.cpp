#include "edgeloop/core/filesystem_guard.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace edgeloop {

std::string disk_error_text(int error_number) {
  switch (error_number) {
    case ENOSPC:
    case EDQUOT:
      return "the disk is full: free space and try again";
    case EIO:
      return "I/O error: the disk failed; check it (dmesg) and try again";
    case EACCES:
    case EPERM:
      return "permission denied: check the folder's owner and mode";
    case EROFS:
      return "the filesystem is read-only: remount it read-write or choose another folder";
    default:
      return std::strerror(error_number);
  }
}

Error disk_error(const std::string& action, const std::filesystem::path& path, int error_number) {
  const ErrorCode code = error_number == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
  return Error(code, action + " " + path.string() + ": " + disk_error_text(error_number));
}

Error disk_error(const std::string& action, const std::filesystem::path& path, const std::error_code& error) {
  if (error.category() == std::generic_category() || error.category() == std::system_category()) {
    return disk_error(action, path, error.value());
  }
  return io_error(action + " " + path.string() + ": " + error.message());
}

bool filesystem_is_full(const std::filesystem::path& path) {
  constexpr uint64_t kNearlyFullBytes = uint64_t{1} << 20;
  struct statvfs info {};
  if (::statvfs(path.empty() ? "." : path.c_str(), &info) != 0) return false;
  return static_cast<uint64_t>(info.f_bavail) * info.f_frsize < kNearlyFullBytes;
}

Error filesystem_error_to_error(const std::filesystem::filesystem_error& error) {
  const std::filesystem::path& path = error.path1().empty() ? error.path2() : error.path1();
  std::string action = "cannot access";
  const std::string what = error.what();
  // libstdc++ names the failed call: "filesystem error: cannot create directories: ...".
  const std::string prefix = "filesystem error: ";
  if (what.starts_with(prefix)) {
    const size_t colon = what.find(':', prefix.size());
    if (colon != std::string::npos) action = what.substr(prefix.size(), colon - prefix.size());
  }
  if (!error.path2().empty() && !error.path1().empty()) {
    return disk_error(action + " " + error.path1().string() + " to", error.path2(), error.code());
  }
  return disk_error(action, path, error.code());
}

}  // namespace edgeloop
