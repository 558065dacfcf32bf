// The CSV manifest import source: `path,label` rows, paths relative to the manifest's folder.
#include <sstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/data/csv_line.h"
#include "edgeloop/data/import_source.h"

namespace edgeloop {

namespace fs = std::filesystem;

namespace {

// Why a manifest path is refused, or empty when it is fine.
std::string refusal_reason(const std::string& relative, const fs::path& base_canonical) {
  if (relative.empty()) return "empty path";
  const fs::path path(relative);
  if (path.is_absolute()) return "absolute path refused: write it relative to the manifest";
  const fs::path normal = path.lexically_normal();
  if (!normal.empty() && *normal.begin() == "..") return "path leaves the manifest's folder: refused";
  std::error_code error;
  const fs::path resolved = fs::weakly_canonical(base_canonical / normal, error);
  const auto mismatch = std::mismatch(base_canonical.begin(), base_canonical.end(), resolved.begin(), resolved.end());
  if (!error && mismatch.first != base_canonical.end()) return "path leaves the manifest's folder through a symlink: refused";
  return "";
}

}  // namespace

ImportSource read_csv_source(const fs::path& manifest) {
  std::istringstream in(read_file(manifest));  // read_file refuses a FIFO instead of blocking on it
  std::error_code error;
  const fs::path base = fs::canonical(fs::absolute(manifest).parent_path(), error);
  ImportSource result;
  result.format = "csv";
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    line = trim_csv_field(line);
    if (line.empty()) continue;
    std::vector<std::string> fields = csv_fields(line);
    for (auto& field : fields) field = trim_csv_field(field);
    if (line_number == 1 && fields[0] == "path") continue;  // header row
    const std::string where = manifest.filename().string() + ":" + std::to_string(line_number);
    ImportItem item;
    item.origin = fields[0];
    item.label = fields.size() > 1 ? fields[1] : "";
    if (fields.size() > 2) {
      item.origin = where;
      item.reject_reason = "expected `path,label`, found " + std::to_string(fields.size()) + " fields";
    } else if (std::string reason = refusal_reason(fields[0], base); !reason.empty()) {
      item.origin = where + " " + fields[0];
      item.reject_reason = reason;
    } else {
      item.file = base / fs::path(fields[0]).lexically_normal();
    }
    result.items.push_back(std::move(item));
  }
  return result;
}

}  // namespace edgeloop
