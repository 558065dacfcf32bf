// Thread names, as `top -H`, perf and gdb show them: the pipeline names its stage threads
// ("edge-capture", "edge-infer", ...) so a profile says which stage spends the time. Affects only
// the calling thread.
#pragma once

namespace edgeloop {

// Names the calling thread; at most 15 characters are kept. Best effort: a name the system
// refuses leaves the thread's name as it was.
void name_this_thread(const char* name);

}  // namespace edgeloop
