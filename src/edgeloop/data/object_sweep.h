// The sweep of unregistered objects: what an import killed between storing its objects and its
// registry transaction leaves in the object store. ObjectsLock (flock on .edgeloop/objects.lock)
// is held shared by every import while it stores objects; the sweep runs only when the lock can be
// taken exclusively, i.e. when no import runs in any process. Called by the importer. One lock per
// import; not shared between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "edgeloop/core/workspace.h"

namespace edgeloop {

class ObjectsLock {
 public:
  // Runs `sweep_if_alone` first when no other import holds the lock (taken exclusive, without
  // waiting), then holds the lock shared until destroyed. Best effort: where flock fails there is
  // no lock and no sweep. An exception from the sweep propagates with the lock released.
  ObjectsLock(const Workspace& workspace, const std::function<void()>& sweep_if_alone);
  ~ObjectsLock();
  ObjectsLock(const ObjectsLock&) = delete;
  ObjectsLock& operator=(const ObjectsLock&) = delete;

 private:
  int fd_ = -1;
};

// Deletes every stored object whose hash `is_registered` refuses. The caller must hold the lock
// exclusively (inside ObjectsLock's sweep). Temporary files are left to the leftover sweep
// (core/leftover_files.h). Returns how many objects were deleted.
int64_t remove_unregistered_objects(const Workspace& workspace, const std::function<bool(const std::string& hash)>& is_registered);

}  // namespace edgeloop
