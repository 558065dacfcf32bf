#include "edgeloop/core/leftover_files.h"

#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <tuple>
#include <vector>

namespace edgeloop {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTemporaryMarker = ".tmp.";
constexpr std::string_view kStagingMarker = ".partial-";
constexpr std::string_view kAsideMarker = ".old-";

// "PID" or "PID-START" (START: the writer's start time, process_start_ticks).
std::optional<LeftoverWriter> parse_writer(std::string_view text) {
  LeftoverWriter writer;
  const char* const text_end = text.data() + text.size();
  const auto [pid_end, error] = std::from_chars(text.data(), text_end, writer.pid);
  if (error != std::errc() || writer.pid <= 0 || pid_end == text.data()) return std::nullopt;
  if (pid_end != text_end && *pid_end == '-') {
    uint64_t start = 0;
    const auto [start_end, start_error] = std::from_chars(pid_end + 1, text_end, start);
    if (start_error == std::errc() && start_end == text_end) writer.start_ticks = start;
  }
  return writer;
}

// "PID-START" for this process's own names (the start time read once), "PID" for another whose
// start cannot be read.
std::string writer_text(pid_t pid) {
  static const pid_t own_pid = ::getpid();
  static const std::optional<uint64_t> own_start = process_start_ticks(own_pid);
  const std::optional<uint64_t> start = pid == own_pid ? own_start : process_start_ticks(pid);
  return std::to_string(pid) + (start ? "-" + std::to_string(*start) : "");
}

// The name a leftover folder of `target` would be restored to: ".NAME.old-PID" → "NAME".
std::string original_name(const std::string& filename) {
  const size_t marker = filename.rfind(kAsideMarker);
  return filename.substr(1, marker - 1);
}

// True when the writer no longer runs: its PID is free, or now belongs to another process (a PID
// is reused within a second when processes come and go fast: the kill -9 bench under load left
// two staging folders whose PIDs already named younger processes).
bool writer_is_gone(const LeftoverWriter& writer, const fs::path& path) {
  if (writer.pid == ::getpid()) return false;
  if (::kill(writer.pid, 0) != 0 && errno == ESRCH) return true;
  if (writer.start_ticks) {
    const std::optional<uint64_t> start = process_start_ticks(writer.pid);
    if (start) return *start != *writer.start_ticks;
  }
  // A name without a start time (written before names carried one): a process younger than the
  // leftover holds the PID now. /proc/PID's time is when the kernel first looked it up, which is
  // never before the process started.
  struct stat process {}, leftover {};
  if (::stat(("/proc/" + std::to_string(writer.pid)).c_str(), &process) != 0) return false;
  if (::lstat(path.c_str(), &leftover) != 0) return false;
  return std::tie(leftover.st_mtim.tv_sec, leftover.st_mtim.tv_nsec) < std::tie(process.st_mtim.tv_sec, process.st_mtim.tv_nsec);
}

}  // namespace

fs::path temporary_path_for(const fs::path& target, pid_t pid, uint64_t counter) {
  return target.parent_path() /
         ("." + target.filename().string() + std::string(kTemporaryMarker) + writer_text(pid) + "." + std::to_string(counter));
}

fs::path staging_path_for(const fs::path& target, pid_t pid) {
  return target.parent_path() / ("." + target.filename().string() + std::string(kStagingMarker) + writer_text(pid));
}

fs::path aside_path_for(const fs::path& target, pid_t pid) {
  return target.parent_path() / ("." + target.filename().string() + std::string(kAsideMarker) + writer_text(pid));
}

std::optional<uint64_t> process_start_ticks(pid_t pid) {
  std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat_file, line)) return std::nullopt;
  // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so fields are counted from
  // the last ')'. starttime is field 22, the 20th after it.
  const size_t comm_end = line.rfind(')');
  if (comm_end == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(comm_end + 1));
  std::string field;
  constexpr int kStartTimeField = 20;
  for (int index = 0; index < kStartTimeField; ++index) {
    if (!(fields >> field)) return std::nullopt;
  }
  uint64_t ticks = 0;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), ticks);
  if (error != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return ticks;
}

std::optional<LeftoverWriter> leftover_writer(const std::string& filename) {
  if (!filename.starts_with(".")) return std::nullopt;
  for (const std::string_view marker : {kStagingMarker, kAsideMarker}) {
    const size_t at = filename.rfind(marker);
    if (at != std::string::npos && at > 1) return parse_writer(std::string_view(filename).substr(at + marker.size()));
  }
  const size_t at = filename.rfind(kTemporaryMarker);
  if (at == std::string::npos || at < 2) return std::nullopt;
  const std::string_view rest = std::string_view(filename).substr(at + kTemporaryMarker.size());  // PID[-START].COUNTER
  const size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  return parse_writer(rest.substr(0, dot));
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
    const std::optional<LeftoverWriter> writer = leftover_writer(name);
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
