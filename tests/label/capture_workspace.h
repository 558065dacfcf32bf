// A workspace holding what `edgeloop label` works on, made by the label tests: a tiny labelled
// dataset `base` (the champion's class list: bird, cat, dog) and a dataset `captures` imported
// from a device capture folder whose sidecars carry seeded top-k suggestions.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/registry/registry.h"
#include "support/temp_dir.h"

namespace edgeloop::testing {

inline const std::vector<std::string> kCaptureClasses = {"bird", "cat", "dog"};   // sorted, as a folder import orders them

// One capture to write: its suggested class and the top score (the rest is spread over the others).
struct CaptureSpec {
  int suggested = 0;       // index into kCaptureClasses
  double score = 0.5;      // top probability
  bool sidecar = true;     // false: the image without its sidecar
  Json sidecar_override;   // non-null: written as the sidecar instead
  std::string truth;       // non-empty: the true class a simulated source reports ("truth")
};

// Writes `specs` as capture files (PNG + sidecar) named 0000.png, 0001.png, ... into `folder`.
void write_capture_folder(const std::filesystem::path& folder, const std::vector<CaptureSpec>& specs);

// `count` captures with scores spread over 0.35..0.99 and suggestions cycling through the classes.
std::vector<CaptureSpec> varied_captures(int count);

struct CaptureWorkspace {
  TempDir dir;
  Workspace workspace = Workspace::init(dir / "ws");
  Registry registry = Registry::open(workspace.registry_path());
  // Imports `base` and the captures; returns the capture dataset's reference ("captures@1").
  std::string import_captures(const std::vector<CaptureSpec>& specs);
};

}  // namespace edgeloop::testing
