// Filesystem errors as edgeloop::Error: the one place that turns an errno or a
// std::filesystem::filesystem_error into a one-line Error naming the path, with the code that says
// what failed (a full disk and a failing disk are Error(kIo), exit 6 — never "corrupt"; a missing
// path is kNotFound). Library entry points that touch the filesystem wrap their body in
// guard_filesystem, so std::filesystem's exceptions never leave a module. Thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "edgeloop/core/error.h"

namespace edgeloop {

// What an errno means for the user, ending in what to do: ENOSPC/EDQUOT "the disk is full: free
// space and try again", EIO "I/O error: the disk failed; check it (dmesg) and try again",
// EACCES/EPERM/EROFS "permission denied: ...", otherwise strerror.
std::string disk_error_text(int error_number);

// Error for a failed `action` ("cannot write", "cannot create") on `path` with `error_number`:
// kNotFound for ENOENT, kIo for the rest, the message "ACTION PATH: <disk_error_text>".
Error disk_error(const std::string& action, const std::filesystem::path& path, int error_number);
Error disk_error(const std::string& action, const std::filesystem::path& path, const std::error_code& error);

// True when the filesystem holding `path` has (almost) no space left for this user: less than
// a megabyte. Used to name a full disk behind an error that does not carry its errno.
bool filesystem_is_full(const std::filesystem::path& path);

// The Error for an exception std::filesystem threw (its path1, or path2 when it names two).
Error filesystem_error_to_error(const std::filesystem::filesystem_error& error);

// Runs `body`; a std::filesystem::filesystem_error thrown inside becomes the project's Error.
template <typename Body>
auto guard_filesystem(Body body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::filesystem::filesystem_error& error) {
    throw filesystem_error_to_error(error);
  }
}

}  // namespace edgeloop
