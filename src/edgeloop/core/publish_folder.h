// publish_folder: a filled folder (a bundle) made visible under its final name in one atomic
// step, the folder counterpart of write_file_atomically (atomic_file.h). Called by export.
// Thread-safe for distinct targets.
#pragma once

#include <filesystem>

namespace edgeloop {

// Publishes the filled folder `staging` as `target` (same parent folder): renamed into place when
// `target` does not exist; otherwise the two are swapped in one atomic step (renameat2
// RENAME_EXCHANGE) and the old one, now at `staging`, is removed. A reader sees the old folder or
// the new one, whole, at every moment. Where the filesystem cannot swap, the old folder is renamed
// aside (`.NAME.old-PID`, leftover_files.h) just before the new one is renamed in; a process killed
// between the two leaves the aside folder, which the next sweep renames back. Throws Error(kIo).
void publish_folder(const std::filesystem::path& staging, const std::filesystem::path& target);

}  // namespace edgeloop
