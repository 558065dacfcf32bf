#include "edgeloop/data/objects_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace edgeloop {

namespace {

int lock_retrying(int fd, int operation) {
  int result = 0;
  while ((result = ::flock(fd, operation)) != 0 && errno == EINTR) {
  }
  return result;
}

}  // namespace

ObjectsLock::ObjectsLock(const Workspace& workspace, const std::function<void()>& sweep_if_alone) {
  fd_ = ::open(workspace.objects_lock_path().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
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

}  // namespace edgeloop
