#include "edgeloop/core/workspace.h"

#include "edgeloop/core/error.h"
#include "edgeloop/core/leftover_files.h"

namespace edgeloop {

namespace fs = std::filesystem;

namespace {
constexpr const char* kStateDirName = ".edgeloop";
}

Workspace Workspace::init(const fs::path& root) {
  std::error_code error;
  fs::path absolute = fs::weakly_canonical(fs::absolute(root), error);
  if (error) absolute = fs::absolute(root);
  Workspace workspace(absolute);
  for (const fs::path& dir : {workspace.state_dir(), workspace.objects_dir(), workspace.cache_dir(),
                              workspace.runs_dir(), workspace.models_dir()}) {
    fs::create_directories(dir, error);
    if (error) throw io_error("cannot create " + dir.string() + ": " + error.message());
  }
  return workspace;
}

std::optional<Workspace> Workspace::find(const fs::path& start) {
  std::error_code error;
  fs::path dir = fs::weakly_canonical(fs::absolute(start), error);
  if (error) dir = fs::absolute(start);
  while (true) {
    if (fs::is_directory(dir / kStateDirName, error)) return Workspace(dir);
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

// Opening a workspace also sweeps what killed processes left in `.edgeloop/` (temporary files,
// staging folders whose writer is gone: leftover_files.h), so every command starts clean.
Workspace Workspace::open(const std::optional<fs::path>& explicit_root) {
  if (explicit_root) {
    std::optional<Workspace> found;
    if (fs::is_directory(*explicit_root / kStateDirName)) found = find(*explicit_root);
    if (!found) {
      throw not_found(explicit_root->string() + " is not an edgeloop workspace: run `edgeloop init " +
                      explicit_root->string() + "` first");
    }
    sweep_leftovers(found->state_dir(), /*recursive=*/true);
    return *found;
  }
  std::optional<Workspace> found = find(fs::current_path());
  if (!found) {
    throw not_found("not inside an edgeloop workspace (no .edgeloop/ here or above): run `edgeloop init` or pass --workspace DIR");
  }
  sweep_leftovers(found->state_dir(), /*recursive=*/true);
  return *found;
}

fs::path Workspace::object_path(const std::string& object_hash) const {
  if (object_hash.size() < 3) throw internal_error("object hash too short: " + object_hash);
  return objects_dir() / object_hash.substr(0, 2) / object_hash.substr(2);
}

}  // namespace edgeloop
