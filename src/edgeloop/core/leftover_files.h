// Leftovers of killed processes, named in one place: the temporary file of an atomic write
// (`.NAME.tmp.PID-START.N`), an export's staging folder (`.NAME.partial-PID-START`) and the bundle
// it moved aside while publishing (`.NAME.old-PID-START`). Each name carries its writer's PID and
// start time, so a later process can tell a leftover (the PID is free, or names another process)
// from a write in progress, and sweep it. Names without START (older edgeloops) are still read. Workspace::open sweeps the workspace; export sweeps the folder
// it publishes into. Thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <cstdint>

#include <filesystem>
#include <optional>
#include <string>

namespace edgeloop {

// `.NAME.tmp.PID-START.COUNTER` beside `target`: the temporary file of an atomic write.
std::filesystem::path temporary_path_for(const std::filesystem::path& target, pid_t pid, uint64_t counter);
// `.NAME.partial-PID-START` beside `target`: a folder being filled before it is published as `target`.
std::filesystem::path staging_path_for(const std::filesystem::path& target, pid_t pid);
// `.NAME.old-PID-START` beside `target`: the previous `target`, moved aside while the new one is renamed in.
std::filesystem::path aside_path_for(const std::filesystem::path& target, pid_t pid);
// (START is left out when process `pid` cannot be read, e.g. it has exited.)

// Who wrote a leftover: its PID, and the start time that tells that process from a later one
// given the same PID.
struct LeftoverWriter {
  pid_t pid = 0;
  std::optional<uint64_t> start_ticks;   // /proc/PID/stat's starttime; absent in older names
};

// The writer when `filename` is one of the leftover names above; nullopt otherwise.
std::optional<LeftoverWriter> leftover_writer(const std::string& filename);

// Process `pid`'s start time in clock ticks since boot (/proc/PID/stat field 22); nullopt when it
// does not run or cannot be read.
std::optional<uint64_t> process_start_ticks(pid_t pid);

struct SweepResult {
  int removed = 0;   // leftover files and folders deleted
  int restored = 0;  // `.NAME.old-PID` folders renamed back to a missing NAME
};

// Removes every leftover in `folder` (and below it when `recursive`) whose writer is gone (its PID
// is free or names a younger process, or it has exited and waits to be reaped); a
// `.NAME.old-PID` whose NAME is missing (an export killed between its two renames) is renamed back
// to NAME instead. Best effort: never throws; what it cannot remove stays for the next sweep.
SweepResult sweep_leftovers(const std::filesystem::path& folder, bool recursive);

// The same for the leftovers of one `target` only (`.NAME.tmp.*`, `.NAME.partial-*`, `.NAME.old-*`
// beside it): for folders edgeloop does not own, such as an export's output folder's parent.
SweepResult sweep_leftovers_of(const std::filesystem::path& target);

}  // namespace edgeloop
