// BundleInbox: bundles pushed to the device over HTTP (PUT /v1/bundles/ID/FILE), kept in the
// device's bundle store so that a swap can go back to the one before. A bundle arrives file by
// file in chunks at explicit offsets, so a dropped connection resumes where the device's copy
// ends instead of starting over; bundle.json comes first and only the files it lists are taken,
// each a plain name and never larger than it declares (a push cannot fill the disk with more
// than its manifest says). publish() checks that every file arrived whole and puts the bundle in
// place in one atomic step; the swap's loader then verifies every hash as for any bundle.
// Layout: STORE/incoming/ID/ while arriving, STORE/ID/ once published. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgeloop {

struct BundleInboxLimits {
  int64_t max_manifest_bytes = 4 << 20;        // bundle.json
  int64_t max_bundle_bytes = int64_t{1} << 30; // all files a manifest may declare together
  int keep_published = 3;                      // bundles kept in the store (the newest)
};

class BundleInbox {
 public:
  explicit BundleInbox(std::filesystem::path store, BundleInboxLimits limits = {});

  // Appends `bytes` to FILE of bundle ID at `offset` and returns the file's size after it.
  // Throws Error: kInvalidArgument for an ID or FILE that is not a plain name, a FILE bundle.json
  // does not list (or before bundle.json arrived), or more bytes than declared; kAlreadyExists
  // when `offset` is not the size the device holds (GET the bundle's sizes and resume there);
  // kIo when the disk fails. A new bundle.json (offset 0) restarts the bundle.
  int64_t receive(const std::string& bundle_id, const std::string& file, int64_t offset, std::string_view bytes);
  // Each file of bundle ID: {bytes received, bytes expected} (expected -1 for a bundle.json that
  // does not parse yet); Error(kNotFound) when nothing of ID has arrived.
  std::map<std::string, std::pair<int64_t, int64_t>> received(const std::string& bundle_id) const;
  // Moves a complete bundle from incoming/ to the store and returns its folder. The store then
  // holds `keep_published` bundles: this one, those named in `keep` (in service), the newest others. Error(kInvalidArgument) naming the
  // first file missing or short.
  std::filesystem::path publish(const std::string& bundle_id, const std::vector<std::string>& keep = {});
  const std::filesystem::path& store() const { return store_; }

 private:
  std::filesystem::path incoming(const std::string& bundle_id) const;
  // From bundle.json, parsed once per manifest and kept until a new one arrives (each chunk is checked against it).
  const std::map<std::string, int64_t>& expected_files(const std::string& bundle_id) const;

  std::filesystem::path store_;
  BundleInboxLimits limits_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::map<std::string, int64_t>> manifests_;   // bundle id → expected files
};

// True for a name usable as one path component: letters, digits, '.', '_', '-', not starting with '.'.
bool is_plain_name(const std::string& name);

}  // namespace edgeloop
