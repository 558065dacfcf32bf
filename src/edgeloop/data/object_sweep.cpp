#include "edgeloop/data/object_sweep.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace edgeloop {

namespace fs = std::filesystem;

namespace {

constexpr const char* kObjectsLockName = "objects.lock";  // in .edgeloop/, beside objects/

int lock_retrying(int fd, int operation) {
  int result = 0;
  while ((result = ::flock(fd, operation)) != 0 && errno == EINTR) {
  }
  return result;
}

}  // namespace

ObjectsLock::ObjectsLock(const Workspace& workspace, const std::function<void()>& sweep_if_alone) {
  fd_ = ::open((workspace.state_dir() / kObjectsLockName).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return;
  if (lock_retrying(fd_, LOCK_EX | LOCK_NB) == 0) {
    try {
      sweep_if_alone();
    } catch (...) {
      ::close(fd_);
      fd_ = -1;
      throw;
    }
  }
  lock_retrying(fd_, LOCK_SH);  // from exclusive: a downgrade; otherwise waits for a running sweep
}

ObjectsLock::~ObjectsLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

int64_t remove_unregistered_objects(const Workspace& workspace, const std::function<bool(const std::string& hash)>& is_registered) {
  int64_t removed = 0;
  std::error_code error;
  for (fs::directory_iterator prefix(workspace.objects_dir(), error), end; !error && prefix != end; prefix.increment(error)) {
    const std::string head = prefix->path().filename().string();
    if (head.size() != 2 || !prefix->is_directory(error)) continue;
    std::error_code inner_error;
    for (fs::directory_iterator entry(prefix->path(), inner_error), inner_end; !inner_error && entry != inner_end;
         entry.increment(inner_error)) {
      const std::string tail = entry->path().filename().string();
      if (tail.starts_with(".")) continue;  // temporary files are the leftover sweep's (leftover_files.h)
      if (is_registered(head + tail)) continue;
      std::error_code ignored;
      if (fs::remove(entry->path(), ignored)) ++removed;
    }
  }
  return removed;
}

}  // namespace edgeloop
