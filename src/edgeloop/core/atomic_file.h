// Crash-safe file writes: write to a temporary file beside the target, fsync it, rename it over
// the target, fsync the directory. A reader sees the old file or the new one, never half of one.
// Every file edgeloop stores goes through here. Thread-safe for distinct targets.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace edgeloop {

// Throws Error(kIo) naming the file (a full disk says so) and leaves the target untouched.
void write_file_atomically(const std::filesystem::path& target, std::span<const uint8_t> bytes);
void write_file_atomically(const std::filesystem::path& target, std::string_view text);

// Copies a file under the same guarantee.
void copy_file_atomically(const std::filesystem::path& source, const std::filesystem::path& target);

// Whole-file read; throws Error naming the file: kNotFound when absent, kInvalidArgument for a
// FIFO, socket, device or folder (refused without opening it, so a FIFO cannot hang the reader),
// kIo when the disk fails.
std::string read_file(const std::filesystem::path& path);

// Publishes the filled folder `staging` as `target` (same parent folder): renamed into place when
// `target` does not exist; otherwise the two are swapped in one atomic step (renameat2
// RENAME_EXCHANGE) and the old one, now at `staging`, is removed. A reader sees the old folder or
// the new one, whole, at every moment. Where the filesystem cannot swap, the old folder is renamed
// aside (`.NAME.old-PID`, leftover_files.h) just before the new one is renamed in; a process killed
// between the two leaves the aside folder, which the next sweep renames back. Throws Error(kIo).
void publish_folder(const std::filesystem::path& staging, const std::filesystem::path& target);

// fsync of a directory, so that a rename inside it survives a power cut.
void sync_directory(const std::filesystem::path& directory);

}  // namespace edgeloop
