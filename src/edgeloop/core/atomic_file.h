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

// When a write reaches the disk. kDeferred skips the fsyncs (file and folder) for bulk writes whose
// caller makes them durable together afterwards (ObjectStore::sync, one syncfs); the rename still
// makes the file appear whole or not at all.
enum class FileSync { kNow, kDeferred };

// Throws Error(kIo) naming the file (a full disk says so) and leaves the target untouched.
void write_file_atomically(const std::filesystem::path& target, std::span<const uint8_t> bytes,
                           FileSync sync = FileSync::kNow);
void write_file_atomically(const std::filesystem::path& target, std::string_view text);

// Copies a file under the same guarantee.
void copy_file_atomically(const std::filesystem::path& source, const std::filesystem::path& target);

// Whole-file read of a regular file; throws Error naming the file: kNotFound when it is missing,
// kInvalidArgument for a FIFO, socket or device (refused before it is opened), kIo otherwise.
std::string read_file(const std::filesystem::path& path);

// fsync of a directory, so that a rename inside it survives a power cut.
void sync_directory(const std::filesystem::path& directory);

}  // namespace edgeloop
