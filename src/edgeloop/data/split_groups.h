// Split groups: which samples must land on the same side of a split because they are
// near-duplicates of each other (neighbouring frames of one capture session, one camera or one
// video). `data split --group-by` names the rule; split.h assigns whole groups. Pure; thread-safe.
//   capture-session  captures of one source (the sidecar's "source") with no gap over 10 minutes
//                    between consecutive ones (the sidecar's "ts"); other samples: by source
//   source           the sidecar's "source"; else the origin before '#' ("clip.mp4#frame=30" →
//                    "clip.mp4"), its folder for a path ("cam1/0001.png" → "cam1")
//   any other text   a regular expression on the origin: its first capture group (or the whole
//                    match) is the group; a sample it does not match is a group of its own
#pragma once

#include <string>
#include <vector>

#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {

inline constexpr const char* kGroupByCaptureSession = "capture-session";
inline constexpr const char* kGroupBySource = "source";

// One group key per sample, in the order of `samples`. Throws Error(kInvalidArgument) naming the
// expression when `group_by` is neither rule nor a valid regular expression.
std::vector<std::string> split_groups(const std::vector<Sample>& samples, const std::string& group_by);

}  // namespace edgeloop
