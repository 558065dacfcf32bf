#include "edgeloop/core/publish_folder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/filesystem_guard.h"
#include "edgeloop/core/leftover_files.h"

namespace edgeloop {

void publish_folder(const std::filesystem::path& staging, const std::filesystem::path& target) {
  std::error_code ignored;
  const std::filesystem::path parent = target.parent_path();
  if (::rename(staging.c_str(), target.c_str()) == 0) {  // no target yet (or an empty folder)
    sync_directory(parent);
    return;
  }
  if (errno != ENOTEMPTY && errno != EEXIST && errno != ENOTDIR && errno != EISDIR) {
    throw disk_error("cannot rename " + staging.string() + " to", target, errno);
  }
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    sync_directory(parent);
    std::filesystem::remove_all(staging, ignored);  // the old folder; a leftover for the sweep if this fails
    return;
  }
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
    throw disk_error("cannot swap " + staging.string() + " with", target, errno);
  }
  const std::filesystem::path aside = aside_path_for(target, ::getpid());
  if (::rename(target.c_str(), aside.c_str()) != 0) throw disk_error("cannot move aside", target, errno);
  if (::rename(staging.c_str(), target.c_str()) != 0) {
    const int error_number = errno;
    ::rename(aside.c_str(), target.c_str());
    throw disk_error("cannot rename " + staging.string() + " to", target, error_number);
  }
  sync_directory(parent);
  std::filesystem::remove_all(aside, ignored);
}

}  // namespace edgeloop
