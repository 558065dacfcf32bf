// Workspace: a folder holding `.edgeloop/` (registry.db, objects/, cache/, runs/, models/).
// All file naming inside a workspace lives here, so no other file builds these paths by hand.
// Found from the current directory upward like git, or named explicitly.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace edgeloop {

class Workspace {
 public:
  // Creates `.edgeloop/` under `root` (idempotent: an existing workspace is left as it is).
  static Workspace init(const std::filesystem::path& root);
  // Looks in `start` and each parent; nullopt when none holds `.edgeloop/`.
  static std::optional<Workspace> find(const std::filesystem::path& start);
  // `explicit_root` if given, else find() from the current directory; throws Error(kNotFound)
  // with the fix ("run `edgeloop init` or pass --workspace DIR") when there is none.
  static Workspace open(const std::optional<std::filesystem::path>& explicit_root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path state_dir() const { return root_ / ".edgeloop"; }
  std::filesystem::path registry_path() const { return state_dir() / "registry.db"; }
  std::filesystem::path objects_dir() const { return state_dir() / "objects"; }
  std::filesystem::path cache_dir() const { return state_dir() / "cache"; }
  std::filesystem::path runs_dir() const { return state_dir() / "runs"; }
  std::filesystem::path models_dir() const { return state_dir() / "models"; }
  // objects/ab/cdef... for a sha256 hex id.
  std::filesystem::path object_path(const std::string& object_hash) const;
  std::filesystem::path run_dir(const std::string& run_id) const { return runs_dir() / run_id; }
  std::filesystem::path model_dir(const std::string& model_id) const { return models_dir() / model_id; }

 private:
  explicit Workspace(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path root_;
};

}  // namespace edgeloop
