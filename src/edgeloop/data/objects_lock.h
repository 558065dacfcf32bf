// ObjectsLock: the advisory lock (flock on .edgeloop/objects.lock) that every import holds shared
// while it stores objects, so that the sweep of unregistered objects — what a killed import stored
// but never registered — runs only when no import is running in any process. Called by the
// importer. One per import; not shared between threads.
#pragma once

#include <functional>

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

}  // namespace edgeloop
