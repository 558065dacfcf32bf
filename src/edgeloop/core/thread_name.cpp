#include "edgeloop/core/thread_name.h"

#include <pthread.h>

#include <cstring>

namespace edgeloop {

void name_this_thread(const char* name) {
  constexpr size_t kLongestName = 15;   // Linux keeps 16 bytes with the terminator
  char kept[kLongestName + 1] = {};
  std::strncpy(kept, name, kLongestName);
  pthread_setname_np(pthread_self(), kept);
}

}  // namespace edgeloop
