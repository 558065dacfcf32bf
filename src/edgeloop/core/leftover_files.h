// Leftovers of killed processes, named in one place: the temporary file of an atomic write
// (`.NAME.tmp.PID.N`), an export's staging folder (`.NAME.partial-PID`) and the bundle it moved
// aside while publishing (`.NAME.old-PID`). Each name carries its writer's PID, so a later process
// can tell a leftover (the writer is gone, or its PID now belongs to a younger process) from a
// write in progress, and sweep it. Workspace::open sweeps the workspace; export sweeps the folder
// it publishes into. Thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace edgeloop {

// `.NAME.tmp.PID.COUNTER` beside `target`: the temporary file of an atomic write.
std::filesystem::path temporary_path_for(const std::filesystem::path& target, pid_t pid, uint64_t counter);
// `.NAME.partial-PID` beside `target`: a folder being filled before it is published as `target`.
std::filesystem::path staging_path_for(const std::filesystem::path& target, pid_t pid);
// `.NAME.old-PID` beside `target`: the previous `target`, moved aside while the new one is renamed in.
std::filesystem::path aside_path_for(const std::filesystem::path& target, pid_t pid);

// The writer's PID when `filename` is one of the leftover names above; nullopt otherwise.
std::optional<pid_t> leftover_writer(const std::string& filename);

struct SweepResult {
  int removed = 0;   // leftover files and folders deleted
  int restored = 0;  // `.NAME.old-PID` folders renamed back to a missing NAME
};

// Removes every leftover in `folder` (and below it when `recursive`) whose writer is gone; a
// `.NAME.old-PID` whose NAME is missing (an export killed between its two renames) is renamed back
// to NAME instead. Best effort: never throws; what it cannot remove stays for the next sweep.
SweepResult sweep_leftovers(const std::filesystem::path& folder, bool recursive);

// The same for the leftovers of one `target` only (`.NAME.tmp.*`, `.NAME.partial-*`, `.NAME.old-*`
// beside it): for folders edgeloop does not own, such as an export's output folder's parent.
SweepResult sweep_leftovers_of(const std::filesystem::path& target);

}  // namespace edgeloop
