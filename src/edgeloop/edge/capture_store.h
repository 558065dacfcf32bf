// Capture for retraining. CapturePolicy decides which frames to keep (low confidence, drift
// active, a random rate, per-class quotas so the captured data stays balanced); CaptureStore
// writes each kept frame as the original image plus a JSON sidecar `<stem>.json`, both through
// core/atomic_file.h (sidecar last, so a sidecar always has its image), under a disk quota it
// never exceeds (oldest evicted first). `edgeloop data import DIR --format capture` reads this
// folder; the format is in docs/formats.md ("Edge run log and capture folder").
// Both are used by the pipeline's publish thread only; not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"

namespace edgeloop {

struct CaptureOptions {
  std::filesystem::path directory;          // where captures go; empty = capture off
  double low_confidence_below = 0.5;        // capture when the top score is below this
  double drift_rate = 0.05;                 // share of frames captured while drift is active
  double random_rate = 0.001;               // share of all other frames captured at random
  int64_t per_class_quota = 0;              // most stored captures per predicted class; 0 = no limit
  int max_per_minute = 0;                   // most captures in any 60 seconds of capture time; 0 = no limit
  int64_t max_bytes = 256LL << 20;          // disk quota for the folder (images + sidecars), bytes
  unsigned seed = 1;                        // random choices are reproducible
};
CaptureOptions capture_options_from_json(const Json& value, CaptureOptions defaults = {});
Json to_json(const CaptureOptions& options);

// What the policy sees of one frame.
struct CaptureCandidate {
  std::string label;          // predicted class name
  double score = 0.0;         // top probability, 0..1
  bool drift_active = false;
  double seconds = 0.0;       // capture time (Clock seconds), for max_per_minute
  bool camera_failed = false; // camera health is failed (black, white, frozen, disconnected)
};

class CapturePolicy {
 public:
  explicit CapturePolicy(const CaptureOptions& options) : options_(options), generator_(options.seed) {}
  // The reason to capture ("low_confidence", "drift", "random"), or nullopt. `stored_for_label`:
  // captures of this label already in the store (for the quota).
  std::optional<std::string> decide(const CaptureCandidate& candidate, int64_t stored_for_label);
  void set_options(const CaptureOptions& options) { options_ = options; }

 private:
  CaptureOptions options_;
  std::deque<double> recent_;   // capture times of the decisions to capture within the last minute
  std::mt19937 generator_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

struct CaptureRecord {
  std::string stem;             // file names: <stem>.<ext> and <stem>.json
  std::string image_file;
  int64_t bytes = 0;            // image + sidecar
  std::string label;
};

// A capture's file stem: wall-clock milliseconds and frame number, zero-padded, so that name order
// is capture order ("1764770000123-000000042").
std::string capture_stem(int64_t wall_milliseconds, int64_t frame);
bool is_capture_stem(const std::string& stem);

class CaptureStore {
 public:
  // Creates the folder; indexes captures already in it (complete pairs only). First sweeps what a
  // device killed mid-save left: temporary files of atomic writes whose writer is gone, and a
  // capture's image whose sidecar was never written (not a capture; files not named like a capture
  // are left alone).
  CaptureStore(std::filesystem::path directory, int64_t max_bytes);

  // Writes `image_bytes` as <stem><extension> and `sidecar` as <stem>.json, evicting the oldest
  // captures first so the folder stays within the quota. Returns the record, or nullopt when
  // one capture alone exceeds the quota. Throws Error(kIo) naming the file on a write failure.
  std::optional<CaptureRecord> save(const std::string& stem, const std::string& extension,
                                    const std::vector<uint8_t>& image_bytes, const Json& sidecar);

  int64_t stored_bytes() const { return stored_bytes_; }
  int64_t stored_count() const { return static_cast<int64_t>(records_.size()); }
  int64_t stored_for_label(const std::string& label) const;
  int64_t evicted() const { return evicted_; }
  const std::filesystem::path& directory() const { return directory_; }
  void set_max_bytes(int64_t max_bytes) { max_bytes_ = max_bytes; }

 private:
  void evict_oldest();

  std::filesystem::path directory_;
  int64_t max_bytes_;
  std::deque<CaptureRecord> records_;      // oldest first
  std::map<std::string, int64_t> per_label_;
  int64_t stored_bytes_ = 0;
  int64_t evicted_ = 0;
};

}  // namespace edgeloop
