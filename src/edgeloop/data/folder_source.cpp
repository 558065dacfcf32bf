// The folder and capture import sources, and format detection.
#include <algorithm>
#include <cctype>
#include <set>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/input_limits.h"
#include "edgeloop/data/import_source.h"

namespace edgeloop {

namespace fs = std::filesystem;

namespace {

const std::set<std::string>& image_extensions() {
  static const std::set<std::string> extensions = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"};
  return extensions;
}

const std::set<std::string>& video_extensions() {
  static const std::set<std::string> extensions = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".mjpeg", ".mjpg"};
  return extensions;
}

std::string lowercase_extension(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
  return extension;
}

bool is_hidden(const fs::path& path) { return path.filename().string().starts_with("."); }

// Walks `directory` depth first, following symlinks once: a directory already visited (a symlink
// loop) is skipped, and an unreadable one becomes a rejected item, not a failed import.
void collect_files(const fs::path& directory, const fs::path& root, const std::string& label,
                   std::set<fs::path>& visited, ImportSource& source) {
  std::error_code error;
  const fs::path canonical = fs::canonical(directory, error);
  if (error || !visited.insert(canonical).second) {
    if (!error) source.items.push_back({directory.lexically_relative(root).string(), label, "", {}, {}, {}, "symlink loop: folder already visited"});
    return;
  }
  std::vector<fs::path> entries;
  fs::directory_iterator iterator(directory, error);
  if (error) {
    source.items.push_back({directory.lexically_relative(root).string(), label, "", {}, {}, {}, "unreadable folder: " + error.message()});
    return;
  }
  for (const auto& entry : iterator) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& path : entries) {
    if (is_hidden(path)) continue;
    if (fs::is_directory(path, error)) {
      collect_files(path, root, label, visited, source);
    } else if (image_extensions().count(lowercase_extension(path))) {
      source.items.push_back({path.lexically_relative(root).string(), label, "", path, {}, {}, {}});
    } else if (lowercase_extension(path) != ".json") {
      source.items.push_back({path.lexically_relative(root).string(), label, "", {}, {}, {}, "not an image file type (" +
                              (path.extension().empty() ? std::string("no extension") : path.extension().string()) + ")"});
    }
  }
}

bool has_capture_sidecars(const fs::path& folder) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (image_extensions().count(lowercase_extension(entry.path())) &&
        fs::exists(fs::path(entry.path()).replace_extension(".json"))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string detect_import_format(const fs::path& source, const std::string& format) {
  static const std::set<std::string> known = {"auto", "idx", "folder", "csv", "video", "capture"};
  if (!known.count(format)) {
    throw invalid_argument("unknown import format `" + format + "`: use auto, idx, folder, csv, video or capture");
  }
  std::error_code error;
  const fs::file_status status = fs::status(source, error);
  if (!fs::exists(status)) throw not_found("import source " + source.string() + " does not exist: check the path");
  if (!fs::is_directory(status) && !fs::is_regular_file(status)) {
    throw invalid_argument("import source " + source.string() + " is neither a folder nor a regular file (a FIFO, socket "
                           "or device): pass a folder or a file");
  }
  if (format != "auto") return format;
  if (fs::is_directory(source, error)) {
    for (const auto& entry : fs::directory_iterator(source, error)) {
      if (entry.path().filename().string().find("-images-idx3-ubyte") != std::string::npos) return "idx";
    }
    return has_capture_sidecars(source) ? "capture" : "folder";
  }
  const std::string extension = lowercase_extension(source);
  if (extension == ".csv") return "csv";
  if (video_extensions().count(extension)) return "video";
  if (source.filename().string().find("idx3-ubyte") != std::string::npos) return "idx";
  throw invalid_argument("cannot tell the format of " + source.string() +
                         ": pass --format idx|folder|csv|video|capture");
}

ImportSource read_folder_source(const fs::path& source) {
  if (!fs::is_directory(source)) throw invalid_argument(source.string() + " is not a folder: --format folder takes a folder of class subfolders");
  ImportSource result;
  result.format = "folder";
  std::set<fs::path> visited;
  std::error_code error;
  visited.insert(fs::canonical(source, error));
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(source, error)) entries.push_back(entry.path());
  if (error) throw io_error("cannot read folder " + source.string() + ": " + error.message());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& path : entries) {
    if (is_hidden(path)) continue;
    if (fs::is_directory(path, error)) {
      const std::string label = path.filename().string();
      result.classes.push_back(label);
      collect_files(path, source, label, visited, result);
    } else {
      result.items.push_back({path.lexically_relative(source).string(), "", "", {}, {}, {},
                              "not inside a class folder: put it in SRC/<class>/"});
    }
  }
  return result;
}

ImportSource read_capture_source(const fs::path& source) {
  if (!fs::is_directory(source)) throw invalid_argument(source.string() + " is not a folder: --format capture takes the device's capture folder");
  ImportSource result;
  result.format = "capture";
  std::set<fs::path> visited;
  collect_files(source, source, "", visited, result);
  for (ImportItem& item : result.items) {
    if (!item.reject_reason.empty()) continue;
    const fs::path sidecar = fs::path(item.file).replace_extension(".json");
    if (!fs::exists(sidecar)) continue;  // a capture without its note is still an image worth labelling
    try {
      const Json note = load_json_file_limited(sidecar);
      if (!note.is_object() || !note.contains("label") || !note["label"].is_string()) {
        item.reject_reason = "sidecar " + sidecar.filename().string() + " has no \"label\" string";
        continue;
      }
      item.suggested = note.dump();
    } catch (const Error& error) {
      item.reject_reason = "sidecar " + sidecar.filename().string() + ": " + error.what();
    }
  }
  return result;
}

}  // namespace edgeloop
