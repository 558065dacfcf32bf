#include "edgeloop/edge/frame_source.h"

#include <algorithm>

#include "edgeloop/core/error.h"
#include "edgeloop/edge/image_pack_source.h"
#include "edgeloop/edge/image_folder_source.h"
#include "edgeloop/edge/sim_source.h"
#include "edgeloop/edge/video_source.h"

namespace edgeloop {
namespace {

constexpr std::string_view kSimPrefix = "sim:";

bool is_camera_spec(const std::string& spec) {
  if (spec.rfind("/dev/video", 0) == 0) return true;
  return !spec.empty() && spec.size() <= 3 && std::all_of(spec.begin(), spec.end(), ::isdigit);
}

bool is_stream_url(const std::string& spec) {
  for (std::string_view scheme : {"rtsp://", "rtsps://", "http://", "https://", "rtmp://", "udp://", "tcp://"}) {
    if (spec.rfind(scheme, 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<FrameSource> open_frame_source(const std::string& spec, const SourceOptions& options, Clock& clock) {
  if (spec.rfind(kSimPrefix, 0) == 0) {
    const std::string inner_spec = spec.substr(kSimPrefix.size());
    if (inner_spec.empty()) throw invalid_argument("source 'sim:' names nothing: write sim:DIR, sim:VIDEO_FILE or sim:PACK_FILE");
    SourceOptions inner_options = options;
    inner_options.corruption = {};
    std::error_code error;
    if (!is_camera_spec(inner_spec) && !is_stream_url(inner_spec) && !std::filesystem::exists(inner_spec, error)) {
      throw not_found("source sim:" + inner_spec + ": no folder, video file or image pack '" + inner_spec +
                      "'; a workspace dataset streams from the file `edgeloop data export " + inner_spec +
                      " --out FILE` writes: give sim:FILE");
    }
    return std::make_unique<SimSource>(open_frame_source(inner_spec, inner_options, clock), options.corruption);
  }
  if (options.corruption.kind != CorruptionKind::kNone) {
    throw invalid_argument("source " + spec + ": corruption applies only to sim: sources; write sim:" + spec);
  }
  if (is_camera_spec(spec)) return std::make_unique<VideoSource>(spec, VideoKind::kCamera, options, clock);
  if (is_stream_url(spec)) return std::make_unique<VideoSource>(spec, VideoKind::kStream, options, clock);
  std::error_code error;
  if (std::filesystem::is_directory(spec, error)) return std::make_unique<ImageFolderSource>(spec, options, clock);
  if (!std::filesystem::exists(spec, error)) {
    throw not_found("source " + spec + " does not exist: give a folder, a video file, an image pack, /dev/videoN, a camera index, a stream URL or sim:PATH");
  }
  if (ImagePack::looks_like_pack(spec)) return std::make_unique<ImagePackSource>(spec, options, clock);
  return std::make_unique<VideoSource>(spec, VideoKind::kFile, options, clock);
}

}  // namespace edgeloop
