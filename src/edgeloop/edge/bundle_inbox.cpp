#include "edgeloop/edge/bundle_inbox.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/filesystem_guard.h"
#include "edgeloop/core/input_limits.h"
#include "edgeloop/core/publish_folder.h"

namespace edgeloop {
namespace {

constexpr const char* kIncomingFolder = "incoming";

void append_durably(const std::filesystem::path& path, std::string_view bytes) {
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (descriptor < 0) throw disk_error("cannot write", path, errno);
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t count = ::write(descriptor, bytes.data() + written, bytes.size() - written);
    if (count < 0) {
      if (errno == EINTR) continue;
      const int error_number = errno;
      ::close(descriptor);
      throw disk_error("cannot write", path, error_number);
    }
    written += static_cast<size_t>(count);
  }
  // Durable before the device answers: the client moves on to the next offset only after this.
  if (::fsync(descriptor) != 0) {
    const int error_number = errno;
    ::close(descriptor);
    throw disk_error("cannot write", path, error_number);
  }
  ::close(descriptor);
}

int64_t size_or_zero(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<int64_t>(size);
}

}  // namespace

bool is_plain_name(const std::string& name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

BundleInbox::BundleInbox(std::filesystem::path store, BundleInboxLimits limits)
    : store_(std::move(store)), limits_(limits) {}

std::filesystem::path BundleInbox::incoming(const std::string& bundle_id) const {
  if (!is_plain_name(bundle_id)) {
    throw invalid_argument("bundle id '" + bundle_id + "' is not a plain name: use the model id (letters, digits, . _ -)");
  }
  return store_ / kIncomingFolder / bundle_id;
}

const std::map<std::string, int64_t>& BundleInbox::expected_files(const std::string& bundle_id) const {
  if (const auto cached = manifests_.find(bundle_id); cached != manifests_.end()) return cached->second;
  const std::filesystem::path manifest_path = incoming(bundle_id) / kBundleManifestName;
  InputLimits limits = kDefaultInputLimits;
  limits.max_bytes = static_cast<size_t>(limits_.max_manifest_bytes);
  const Json manifest = load_json_file_limited(manifest_path, limits);
  std::map<std::string, int64_t> expected;
  int64_t total = 0;
  const Json files = manifest.is_object() ? manifest.value("files", Json()) : Json();
  if (!files.is_object()) throw invalid_argument(manifest_path.string() + ": no `files` map: push a bundle edgeloop export wrote");
  for (const auto& [name, entry] : files.items()) {
    if (!is_plain_name(name) || name == kBundleManifestName) {
      throw invalid_argument(manifest_path.string() + ": file '" + name + "' is not a plain name inside the bundle: re-export it");
    }
    const Json size = entry.is_object() ? entry.value("bytes", Json()) : Json();
    const int64_t bytes = size.is_number_integer() ? size.get<int64_t>() : -1;
    if (bytes < 0) throw invalid_argument(manifest_path.string() + ": file '" + name + "' has no size: re-export the bundle");
    // Compared before adding: a size near 2^63 would make the sum overflow (and wrap below the limit).
    if (bytes > limits_.max_bundle_bytes - total) {
      throw invalid_argument(manifest_path.string() + ": the bundle declares more than " +
                             std::to_string(limits_.max_bundle_bytes >> 20) + " MB: too large for this device");
    }
    total += bytes;
    expected[name] = bytes;
  }
  return manifests_[bundle_id] = std::move(expected);
}

int64_t BundleInbox::receive(const std::string& bundle_id, const std::string& file, int64_t offset, std::string_view bytes) {
  std::lock_guard lock(mutex_);
  return guard_filesystem([&] {
    const std::filesystem::path folder = incoming(bundle_id);
    if (!is_plain_name(file)) throw invalid_argument("file '" + file + "' is not a plain name: push the bundle's own files");
    const std::filesystem::path target = folder / file;
    if (file == kBundleManifestName) {
      manifests_.erase(bundle_id);   // a manifest chunk changes what the bundle declares
      if (offset == 0) {
        // A manifest from offset 0 starts the bundle afresh: what arrived before may belong to
        // another export with the same id.
        std::filesystem::remove_all(folder);
        std::filesystem::create_directories(folder);
      }
      const int64_t held = size_or_zero(target);
      if (offset != held) {
        throw already_exists(target.string() + ": the device holds " + std::to_string(held) + " bytes, not " +
                             std::to_string(offset) + ": resume at offset " + std::to_string(held));
      }
      if (held + static_cast<int64_t>(bytes.size()) > limits_.max_manifest_bytes) {
        throw invalid_argument(target.string() + ": bundle.json larger than " + std::to_string(limits_.max_manifest_bytes) +
                               " bytes: not a bundle edgeloop export wrote");
      }
      append_durably(target, bytes);
      return held + static_cast<int64_t>(bytes.size());
    }
    if (!std::filesystem::exists(folder / kBundleManifestName)) {
      throw invalid_argument("bundle " + bundle_id + ": push bundle.json first, then the files it lists");
    }
    const std::map<std::string, int64_t>& expected = expected_files(bundle_id);
    const auto entry = expected.find(file);
    if (entry == expected.end()) {
      throw invalid_argument("bundle " + bundle_id + ": '" + file + "' is not listed in its bundle.json: push only the files it lists");
    }
    const int64_t held = size_or_zero(target);
    if (offset != held) {
      throw already_exists(target.string() + ": the device holds " + std::to_string(held) + " bytes, not " +
                           std::to_string(offset) + ": resume at offset " + std::to_string(held));
    }
    if (held + static_cast<int64_t>(bytes.size()) > entry->second) {
      throw invalid_argument(target.string() + ": more bytes than the " + std::to_string(entry->second) +
                             " bundle.json declares: push the file bundle.json was written with");
    }
    append_durably(target, bytes);
    return held + static_cast<int64_t>(bytes.size());
  });
}

std::map<std::string, std::pair<int64_t, int64_t>> BundleInbox::received(const std::string& bundle_id) const {
  std::lock_guard lock(mutex_);
  return guard_filesystem([&] {
    const std::filesystem::path folder = incoming(bundle_id);
    const std::filesystem::path manifest = folder / kBundleManifestName;
    if (!std::filesystem::exists(manifest)) throw not_found("bundle " + bundle_id + ": nothing received yet: push bundle.json first");
    std::map<std::string, std::pair<int64_t, int64_t>> sizes;
    // bundle.json's own expected size is unknown until it parses; a short one does not parse.
    int64_t manifest_size = size_or_zero(manifest);
    std::map<std::string, int64_t> expected;
    try {
      expected = expected_files(bundle_id);
      sizes[kBundleManifestName] = {manifest_size, manifest_size};
    } catch (const Error&) {
      sizes[kBundleManifestName] = {manifest_size, -1};
    }
    for (const auto& [name, bytes] : expected) sizes[name] = {size_or_zero(folder / name), bytes};
    return sizes;
  });
}

std::filesystem::path BundleInbox::publish(const std::string& bundle_id, const std::vector<std::string>& keep) {
  std::lock_guard lock(mutex_);
  return guard_filesystem([&] {
    const std::filesystem::path folder = incoming(bundle_id);
    if (!std::filesystem::exists(folder / kBundleManifestName)) {
      throw not_found("bundle " + bundle_id + ": nothing received: push bundle.json and its files first");
    }
    for (const auto& [name, bytes] : expected_files(bundle_id)) {
      const int64_t held = size_or_zero(folder / name);
      if (held != bytes) {
        throw invalid_argument("bundle " + bundle_id + ": " + name + " has " + std::to_string(held) + " of " +
                               std::to_string(bytes) + " bytes: push the rest (resume at offset " + std::to_string(held) + ")");
      }
    }
    sync_directory(folder);
    const std::filesystem::path target = store_ / bundle_id;
    publish_folder(folder, target);
    manifests_.erase(bundle_id);
    sync_directory(store_);
    // The newest `keep_published` stay, and the ones in service; the rest go.
    std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> published;
    int kept = 1;   // the one just published
    for (const auto& entry : std::filesystem::directory_iterator(store_)) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_directory() || name == kIncomingFolder || !is_plain_name(name) || entry.path() == target) continue;
      if (std::find(keep.begin(), keep.end(), name) != keep.end()) {
        ++kept;
        continue;
      }
      published.emplace_back(std::filesystem::last_write_time(entry.path()), entry.path());
    }
    std::sort(published.begin(), published.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const size_t room = static_cast<size_t>(std::max(0, limits_.keep_published - kept));
    for (size_t index = room; index < published.size(); ++index) std::filesystem::remove_all(published[index].second);
    return target;
  });
}

}  // namespace edgeloop
