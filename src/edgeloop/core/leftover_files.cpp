#include "edgeloop/core/leftover_files.h"

#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <tuple>
#include <utility>
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

// What the sweep needs of /proc/PID/stat.
struct ProcessStat {
  char state = '?';           // R, S, D, ...; Z: exited, waiting for its parent to reap it
  uint64_t threads = 0;       // live threads (a zombie counts 1)
  uint64_t start_ticks = 0;   // clock ticks since boot
};

std::optional<ProcessStat> read_process_stat(pid_t pid) {
  std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat_file, line)) return std::nullopt;
  // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so fields are counted from
  // the last ')'. STATE is field 3, num_threads field 20, starttime field 22.
  const size_t comm_end = line.rfind(')');
  if (comm_end == std::string::npos) return std::nullopt;
  std::istringstream stream(line.substr(comm_end + 1));
  std::vector<std::string> fields;
  constexpr size_t kFieldsUpToStartTime = 20;
  for (std::string field; fields.size() < kFieldsUpToStartTime && stream >> field;) fields.push_back(field);
  if (fields.size() < kFieldsUpToStartTime || fields[0].size() != 1) return std::nullopt;
  ProcessStat stat;
  stat.state = fields[0][0];
  for (const auto& [text, value] : {std::pair{&fields[17], &stat.threads}, std::pair{&fields[19], &stat.start_ticks}}) {
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), *value);
    if (error != std::errc() || end != text->data() + text->size()) return std::nullopt;
  }
  return stat;
}

// This process's start time, read once per PID (a forked child has its own).
std::optional<uint64_t> own_start_ticks() {
  thread_local pid_t read_for = 0;
  thread_local std::optional<uint64_t> start;
  if (read_for != ::getpid()) {
    read_for = ::getpid();
    start = process_start_ticks(read_for);
  }
  return start;
}

// "PID-START" (START: the writer's start time), or "PID" for another process whose start cannot
// be read.
std::string writer_text(pid_t pid) {
  const std::optional<uint64_t> start = pid == ::getpid() ? own_start_ticks() : process_start_ticks(pid);
  std::string text = std::to_string(pid);
  if (start) {
    text += '-';
    text += std::to_string(*start);
  }
  return text;
}

// `.NAME` + `marker` + `writer` beside `target`. (Appended piece by piece: GCC 12 warns about
// `"." + ...` chains here, a false -Wrestrict.)
fs::path leftover_path(const fs::path& target, std::string_view marker, const std::string& writer) {
  std::string name = ".";
  name += target.filename().string();
  name += marker;
  name += writer;
  return target.parent_path() / name;
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
  // Once PIDs wrap around, the sweeping process may itself hold a killed writer's PID: only the
  // start time tells its own leftovers from that writer's.
  if (writer.pid == ::getpid()) {
    const std::optional<uint64_t> own_start = own_start_ticks();
    return writer.start_ticks && own_start && *writer.start_ticks != *own_start;
  }
  if (::kill(writer.pid, 0) != 0 && errno == ESRCH) return true;
  const std::optional<ProcessStat> process = read_process_stat(writer.pid);
  // A killed writer stays a zombie until its parent reaps it: seconds when the parent was killed
  // too and PID 1 reaps late (1.7 s in this sandbox, which left the kill -9 bench a staging folder),
  // forever under a PID 1 that never reaps. It writes nothing more. (A zombie main thread beside
  // live threads counts them, and is not gone.)
  if (process && (process->state == 'Z' || process->state == 'X') && process->threads <= 1) return true;
  if (writer.start_ticks && process) return process->start_ticks != *writer.start_ticks;
  // A name without a start time (written before names carried one): a process younger than the
  // leftover holds the PID now. /proc/PID's time is when the kernel first looked it up, which is
  // never before the process started.
  struct stat process_folder {}, leftover {};
  if (::stat(("/proc/" + std::to_string(writer.pid)).c_str(), &process_folder) != 0) return false;
  if (::lstat(path.c_str(), &leftover) != 0) return false;
  return std::tie(leftover.st_mtim.tv_sec, leftover.st_mtim.tv_nsec) < std::tie(process_folder.st_mtim.tv_sec, process_folder.st_mtim.tv_nsec);
}

}  // namespace

fs::path temporary_path_for(const fs::path& target, pid_t pid, uint64_t counter) {
  return leftover_path(target, kTemporaryMarker, writer_text(pid) + "." + std::to_string(counter));
}

fs::path staging_path_for(const fs::path& target, pid_t pid) { return leftover_path(target, kStagingMarker, writer_text(pid)); }

fs::path aside_path_for(const fs::path& target, pid_t pid) { return leftover_path(target, kAsideMarker, writer_text(pid)); }

std::optional<uint64_t> process_start_ticks(pid_t pid) {
  const std::optional<ProcessStat> stat = read_process_stat(pid);
  if (!stat) return std::nullopt;
  return stat->start_ticks;
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
