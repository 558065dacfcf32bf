#include "edgeloop/core/leftover_files.h"

#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <vector>

namespace edgeloop {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTemporaryMarker = ".tmp.";
constexpr std::string_view kStagingMarker = ".partial-";
constexpr std::string_view kAsideMarker = ".old-";

std::optional<pid_t> parse_pid(std::string_view digits) {
  pid_t pid = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (error != std::errc() || pid <= 0 || end == digits.data()) return std::nullopt;
  return pid;
}

// The name a leftover folder of `target` would be restored to: ".NAME.old-PID" → "NAME".
std::string original_name(const std::string& filename) {
  const size_t marker = filename.rfind(kAsideMarker);
  return filename.substr(1, marker - 1);
}

// True when `pid` no longer runs, or runs as a process younger than `path` (the PID was reused).
bool writer_is_gone(pid_t pid, const fs::path& path) {
  if (pid == ::getpid()) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  struct stat process {}, leftover {};
  if (::stat(("/proc/" + std::to_string(pid)).c_str(), &process) != 0) return false;
  if (::lstat(path.c_str(), &leftover) != 0) return false;
  return leftover.st_mtim.tv_sec < process.st_mtim.tv_sec;
}

}  // namespace

fs::path temporary_path_for(const fs::path& target, pid_t pid, uint64_t counter) {
  return target.parent_path() /
         ("." + target.filename().string() + std::string(kTemporaryMarker) + std::to_string(pid) + "." + std::to_string(counter));
}

fs::path staging_path_for(const fs::path& target, pid_t pid) {
  return target.parent_path() / ("." + target.filename().string() + std::string(kStagingMarker) + std::to_string(pid));
}

fs::path aside_path_for(const fs::path& target, pid_t pid) {
  return target.parent_path() / ("." + target.filename().string() + std::string(kAsideMarker) + std::to_string(pid));
}

std::optional<pid_t> leftover_writer(const std::string& filename) {
  if (!filename.starts_with(".")) return std::nullopt;
  for (const std::string_view marker : {kStagingMarker, kAsideMarker}) {
    const size_t at = filename.rfind(marker);
    if (at != std::string::npos && at > 1) return parse_pid(std::string_view(filename).substr(at + marker.size()));
  }
  const size_t at = filename.rfind(kTemporaryMarker);
  if (at == std::string::npos || at < 2) return std::nullopt;
  const std::string_view rest = std::string_view(filename).substr(at + kTemporaryMarker.size());  // PID.COUNTER
  const size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  return parse_pid(rest.substr(0, dot));
}

namespace {

// `only_of`: when not empty, only the leftovers of the file or folder of that name are considered.
SweepResult sweep(const fs::path& folder, bool recursive, const std::string& only_of) {
  SweepResult result;
  std::error_code error;
  std::vector<fs::path> subfolders;
  for (fs::directory_iterator entry(folder, error), end; !error && entry != end; entry.increment(error)) {
    const fs::path& path = entry->path();
    const std::string name = path.filename().string();
    const std::optional<pid_t> writer = leftover_writer(name);
    std::error_code status_error;
    const bool is_folder = entry->is_directory(status_error) && !entry->is_symlink(status_error);
    if (!writer) {
      if (recursive && is_folder) subfolders.push_back(path);
      continue;
    }
    if (!only_of.empty() && !name.starts_with("." + only_of + ".")) continue;
    if (!writer_is_gone(*writer, path)) continue;
    std::error_code ignored;
    if (name.rfind(kAsideMarker) != std::string::npos && is_folder) {
      const fs::path original = folder / original_name(name);
      if (!fs::exists(original, ignored)) {
        fs::rename(path, original, ignored);
        if (!ignored) ++result.restored;
        continue;
      }
    }
    if (fs::remove_all(path, ignored) > 0 && !ignored) ++result.removed;
  }
  for (const fs::path& subfolder : subfolders) {
    const SweepResult inner = sweep(subfolder, true, only_of);
    result.removed += inner.removed;
    result.restored += inner.restored;
  }
  return result;
}

}  // namespace

SweepResult sweep_leftovers(const fs::path& folder, bool recursive) { return sweep(folder, recursive, ""); }

SweepResult sweep_leftovers_of(const fs::path& target) {
  const fs::path absolute = fs::absolute(target).lexically_normal();
  const fs::path named = absolute.filename().empty() ? absolute.parent_path() : absolute;
  return sweep(named.parent_path(), /*recursive=*/false, named.filename().string());
}

}  // namespace edgeloop
