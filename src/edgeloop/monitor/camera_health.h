// CameraHealth: turns per-frame camera statistics into a state — ok, degraded or failed — with
// its reasons: black, white, saturated, frozen (no change for k frames or s seconds), blur
// (sharpness collapsed against the baseline or under a floor), noise (rising against the baseline), fps_drop, disconnected.
// A fault must persist for a few frames to be raised and be gone as long to be cleared, so one
// odd frame does not flap the state. Baselines come from the options or from the first frames.
// Called by edge/ once per frame; not thread-safe (one pipeline thread owns it).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/monitor/camera_frame_statistics.h"

namespace edgeloop {

struct CameraHealthOptions {
  double black_mean_max = 20.0;          // gray mean at or below: black frame (failed)
  double white_mean_min = 235.0;         // gray mean at or above: white frame (failed)
  double saturated_fraction = 0.25;      // share of clipped (crushed or blown) pixels: saturated (degraded)...
  double saturated_margin = 0.15;        // ...when also this much above the baseline share (dark backgrounds are normal)
  int frozen_frames = 30;                // consecutive unchanged frames: frozen (failed)...
  double frozen_seconds = 0.0;           // ...or, when > 0, unchanged for this long by capture time (seconds), in its place
  double frozen_change_max = 0.25;       // mean |difference| in gray levels counted as "unchanged"
  double blur_ratio = 0.25;              // sharpness below baseline * this: blur (degraded)
  double min_sharpness = 0.0;            // sharpness below this (Laplacian variance) is blur too, baseline or not; 0 = off
  double noise_ratio = 2.5;              // noise sigma above baseline * this + noise_floor: noise (degraded)
  double noise_floor = 2.0;              // gray levels added to the noise limit, so a clean baseline of 0 works
  double fps_drop_ratio = 0.5;           // measured fps below expected * this: fps_drop (degraded)
  double expected_fps = 0.0;             // frames per second; 0 = learn from the first fps window
  bool check_fps = true;                 // off for file sources, whose pace is the pipeline's
  int fps_window_frames = 30;            // frames over which fps is measured
  double reference_sharpness = 0.0;      // Laplacian variance; 0 = median of the first baseline frames
  double reference_noise = -1.0;         // noise sigma; < 0 = median of the first baseline frames
  int baseline_frames = 30;              // frames used to learn the baselines
  int persist_frames = 3;                // frames a fault must hold to be raised, and be gone to be cleared
  int degraded_persist_frames = 10;      // the same for saturated, blur, noise and fps drop: one odd scene
                                         // (a white shirt, a plain box) is not a camera fault
};
CameraHealthOptions camera_health_options_from_json(const Json& value, CameraHealthOptions defaults = {});
Json to_json(const CameraHealthOptions& options);

enum class HealthState { kOk = 0, kDegraded = 1, kFailed = 2 };
std::string to_string(HealthState state);

struct HealthReport {
  HealthState state = HealthState::kOk;
  std::vector<std::string> reasons;   // e.g. {"blur", "fps_drop"}, sorted
  bool changed = false;               // state or reasons differ from the previous report: publish it
  CameraFrameStatistics last;         // the statistics of the frame that produced this report
  double fps = 0.0;                   // measured over the fps window; 0 until it is full
  int64_t disconnects = 0;            // since start
  Json to_json() const;
};

class CameraHealth {
 public:
  explicit CameraHealth(CameraHealthOptions options = {});

  // One frame's statistics and its capture time (seconds, any fixed origin).
  HealthReport observe(const CameraFrameStatistics& statistics, double timestamp_seconds);
  // The source lost its device or stream (failed until a frame arrives again).
  HealthReport note_disconnect();

  const HealthReport& report() const { return report_; }
  void set_options(const CameraHealthOptions& options) { options_ = options; }
  const CameraHealthOptions& options() const { return options_; }

 private:
  // A fault with persistence: raised after persist_frames frames with the condition, cleared
  // after persist_frames frames without it.
  struct Fault {
    std::string reason;
    HealthState severity;
    int present_streak = 0;
    int absent_streak = 0;
    bool raised = false;
  };
  void update_fault(Fault& fault, bool condition);
  void learn_baselines(const CameraFrameStatistics& statistics);
  HealthReport finish_report(const CameraFrameStatistics& statistics);

  CameraHealthOptions options_;
  std::vector<Fault> faults_;
  int frozen_streak_ = 0;
  double frozen_since_seconds_ = 0.0;    // capture time of the frame the unchanged streak repeats
  double previous_timestamp_ = 0.0;      // capture time of the previous frame
  std::vector<double> sharpness_samples_;
  std::vector<double> noise_samples_;
  std::vector<double> clipped_samples_;
  double baseline_clipped_ = -1.0;       // share of clipped pixels in normal frames; < 0 until learned
  double baseline_sharpness_ = 0.0;
  double baseline_noise_ = -1.0;
  double baseline_fps_ = 0.0;
  std::deque<double> timestamps_;
  bool disconnected_ = false;
  int64_t disconnects_ = 0;
  HealthReport report_;
};

}  // namespace edgeloop
