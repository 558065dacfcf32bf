#include "edgeloop/bundle/bundle.h"

#include <algorithm>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/core/input_limits.h"
#include "edgeloop/preprocess/preprocess_ops.h"

namespace edgeloop {
namespace {

constexpr const char* kManifestHashKey = "manifest_sha256";

template <typename Value>
Value required(const Json& json, const char* key, const std::filesystem::path& manifest) {
  if (!json.contains(key)) {
    throw corrupt(manifest.string() + ": lacks \"" + key + "\": the bundle is damaged or not an edgeloop bundle; re-export it");
  }
  try {
    return json.at(key).get<Value>();
  } catch (const Json::exception& failure) {
    throw corrupt(manifest.string() + ": \"" + key + "\" is malformed (" + failure.what() + "): re-export the bundle");
  }
}

// The file a `files` entry names, refusing any that leads outside the bundle folder: an absolute
// path, a ".." step, or a symlink whose target is elsewhere.
std::filesystem::path inside_bundle(const std::filesystem::path& directory, const std::string& name,
                                    const std::filesystem::path& manifest) {
  const std::filesystem::path relative(name);
  bool outside = name.empty() || relative.has_root_path();
  for (const auto& part : relative) outside = outside || part == "..";
  if (!outside) {
    std::error_code error;
    const std::filesystem::path root = std::filesystem::weakly_canonical(directory, error);
    const std::filesystem::path target = std::filesystem::weakly_canonical(directory / relative, error);
    const auto [root_left, target_at] = std::mismatch(root.begin(), root.end(), target.begin(), target.end());
    outside = error || root_left != root.end() || target_at == target.end();
  }
  if (outside) {
    throw corrupt(manifest.string() + ": lists the file \"" + name +
                  "\", which is outside the bundle folder: re-export the bundle (only files inside it are read)");
  }
  return directory / relative;
}

// "C×H×W", as bundle.json's errors name a shape.
std::string shape_text(const InputShape& shape) {
  return std::to_string(shape.channels) + "×" + std::to_string(shape.height) + "×" + std::to_string(shape.width);
}

}  // namespace

std::optional<std::filesystem::path> Bundle::int8_model() const {
  if (!files.count(kBundleInt8ModelName)) return std::nullopt;
  return directory / kBundleInt8ModelName;
}

std::optional<std::filesystem::path> Bundle::weights() const {
  if (!files.count(kBundleWeightsName)) return std::nullopt;
  return directory / kBundleWeightsName;
}

Json Bundle::to_json() const {
  Json manifest;
  manifest["format_version"] = format_version;
  manifest["model_id"] = model_id;
  manifest["arch"] = arch;
  manifest["labels"] = labels;
  manifest["input"] = {{"name", "input"}, {"layout", "NCHW"}, {"dtype", "float32"},
                       {"channels", input.channels}, {"height", input.height}, {"width", input.width}};
  manifest["outputs"] = {"probabilities", "embedding"};
  manifest["preprocess"] = preprocess.to_json();
  manifest["preprocess_hash"] = preprocess.hash();
  manifest["lineage"] = lineage;
  manifest["metrics"] = metrics;
  manifest["reference_statistics"] = reference_statistics;
  if (!engine_ranking.is_null()) manifest["engine_ranking"] = engine_ranking;
  manifest["created_at"] = created_at;
  Json file_list = Json::object();
  for (const auto& [name, file] : files) file_list[name] = {{"sha256", file.sha256}, {"bytes", file.bytes}};
  manifest["files"] = file_list;
  return manifest;
}

void write_bundle_manifest(Bundle& bundle) {
  for (auto& [name, file] : bundle.files) {
    const std::filesystem::path path = bundle.directory / name;
    if (!std::filesystem::exists(path)) throw not_found(path.string() + ": missing, cannot be listed in the bundle");
    file.sha256 = sha256_file(path);
    file.bytes = static_cast<int64_t>(std::filesystem::file_size(path));
  }
  Json manifest = bundle.to_json();
  manifest[kManifestHashKey] = sha256_hex(canonical_json(manifest));
  write_file_atomically(bundle.directory / kBundleManifestName, manifest.dump(2) + "\n");
}

Bundle load_bundle(const std::filesystem::path& directory) {
  const std::filesystem::path manifest_path = directory / kBundleManifestName;
  if (!std::filesystem::exists(manifest_path)) {
    throw not_found(manifest_path.string() + ": no bundle here; pass the folder `edgeloop export` wrote");
  }
  Json manifest;
  try {
    manifest = load_json_file_limited(manifest_path);
  } catch (const Error& failure) {
    if (failure.code() != ErrorCode::kInvalidArgument) throw;
    throw corrupt(std::string(failure.what()) + ", or re-export the bundle");
  }
  const int version = required<int>(manifest, "format_version", manifest_path);
  if (version != kBundleFormatVersion) {
    throw corrupt(manifest_path.string() + ": format version " + std::to_string(version) + ", this edgeloop reads " +
                  std::to_string(kBundleFormatVersion) + ": re-export the bundle with this edgeloop");
  }
  const std::string stated_hash = required<std::string>(manifest, kManifestHashKey, manifest_path);
  Json content = manifest;
  content.erase(kManifestHashKey);
  const std::string actual_hash = sha256_hex(canonical_json(content));
  if (actual_hash != stated_hash) {
    throw corrupt(manifest_path.string() + ": its content does not match its sha256 (it was edited or damaged): re-export the bundle");
  }

  Bundle bundle;
  bundle.directory = directory;
  bundle.format_version = version;
  bundle.model_id = required<std::string>(manifest, "model_id", manifest_path);
  bundle.arch = required<std::string>(manifest, "arch", manifest_path);
  bundle.labels = required<std::vector<std::string>>(manifest, "labels", manifest_path);
  const Json input = required<Json>(manifest, "input", manifest_path);
  bundle.input = InputShape{required<int>(input, "channels", manifest_path), required<int>(input, "height", manifest_path),
                            required<int>(input, "width", manifest_path)};
  if ((bundle.input.channels != 1 && bundle.input.channels != 3) || bundle.input.height < 1 || bundle.input.width < 1 ||
      bundle.input.height > kMaxResizeSide || bundle.input.width > kMaxResizeSide) {
    throw corrupt(manifest_path.string() + ": the input is " + shape_text(bundle.input) + "; it must have 1 or 3 channels and sides from 1 to " + std::to_string(kMaxResizeSide) +
                  ": re-export the bundle");
  }
  try {
    bundle.preprocess = Pipeline::from_json(required<Json>(manifest, "preprocess", manifest_path));
  } catch (const Error& failure) {
    if (failure.code() != ErrorCode::kInvalidArgument) throw;
    throw corrupt(manifest_path.string() + ": " + failure.what() + "; or re-export the bundle");
  }
  // The engines read exactly input's pixels from what the preprocessing makes: another size
  // would have them read past its end (found by fuzz/bundle_json_fuzz).
  const InputShape made = bundle.preprocess.output_shape();
  if (made.channels != bundle.input.channels || made.height != bundle.input.height || made.width != bundle.input.width) {
    throw corrupt(manifest_path.string() + ": the preprocessing makes " + shape_text(made) + " but the model's input is " +
                  shape_text(bundle.input) + ": re-export the bundle");
  }
  bundle.lineage = required<Json>(manifest, "lineage", manifest_path);
  bundle.metrics = required<Json>(manifest, "metrics", manifest_path);
  bundle.reference_statistics = required<Json>(manifest, "reference_statistics", manifest_path);
  if (manifest.contains("engine_ranking")) bundle.engine_ranking = manifest["engine_ranking"];
  bundle.created_at = required<std::string>(manifest, "created_at", manifest_path);
  const Json file_list = required<Json>(manifest, "files", manifest_path);
  for (const auto& [name, entry] : file_list.items()) {
    BundleFile file{required<std::string>(entry, "sha256", manifest_path), required<int64_t>(entry, "bytes", manifest_path)};
    const std::filesystem::path path = inside_bundle(directory, name, manifest_path);
    if (!std::filesystem::exists(path)) {
      throw corrupt(path.string() + ": listed in bundle.json but missing: copy the whole bundle folder or re-export it");
    }
    const std::string actual = sha256_file(path);
    if (actual != file.sha256) {
      throw corrupt(path.string() + ": sha256 mismatch (bundle.json says " + file.sha256.substr(0, 12) + "…, the file is " +
                    actual.substr(0, 12) + "…): the file was changed or damaged; re-export the bundle");
    }
    bundle.files[name] = file;
  }
  if (!bundle.files.count(kBundleFp32ModelName)) {
    throw corrupt(manifest_path.string() + ": lists no " + std::string(kBundleFp32ModelName) + ": re-export the bundle");
  }
  return bundle;
}

}  // namespace edgeloop
