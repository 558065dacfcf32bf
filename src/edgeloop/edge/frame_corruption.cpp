#include "edgeloop/edge/frame_corruption.h"


#include <opencv2/imgproc.hpp>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

struct KindInfo {
  CorruptionKind kind;
  const char* name;
  double default_strength;
};

constexpr KindInfo kKinds[] = {
    {CorruptionKind::kBrightness, "brightness", 1.6}, {CorruptionKind::kContrast, "contrast", 0.4},
    {CorruptionKind::kNoise, "noise", 30.0},          {CorruptionKind::kBlur, "blur", 3.0},
    {CorruptionKind::kOcclusion, "occlusion", 0.4},   {CorruptionKind::kBlack, "black", 0.0},
    {CorruptionKind::kFrozen, "frozen", 0.0},
};

const KindInfo& info_for(CorruptionKind kind) {
  for (const KindInfo& info : kKinds) {
    if (info.kind == kind) return info;
  }
  throw internal_error("corruption kind without a name");
}

double strength_of(const FrameCorruption& corruption) {
  return corruption.strength >= 0 ? corruption.strength : info_for(corruption.kind).default_strength;
}

}  // namespace

FrameCorruption parse_frame_corruption(const std::string& text) {
  FrameCorruption corruption;
  if (text.empty() || text == "none") return corruption;
  std::string head = text;
  try {
    if (auto at = head.find('@'); at != std::string::npos) {
      corruption.from_frame = std::stoll(head.substr(at + 1));
      head = head.substr(0, at);
    }
    if (auto colon = head.find(':'); colon != std::string::npos) {
      corruption.strength = std::stod(head.substr(colon + 1));
      head = head.substr(0, colon);
    }
  } catch (const std::exception&) {
    throw invalid_argument("corruption '" + text + "': write KIND[:STRENGTH][@FROM_FRAME], e.g. noise:30@500");
  }
  for (const KindInfo& info : kKinds) {
    if (head == info.name) corruption.kind = info.kind;
  }
  if (corruption.kind == CorruptionKind::kNone) {
    throw invalid_argument("corruption '" + text +
                           "': unknown kind; use brightness, contrast, noise, blur, occlusion, black or frozen");
  }
  if (corruption.from_frame < 0) throw invalid_argument("corruption '" + text + "': the start frame must be >= 0");
  return corruption;
}

std::string to_string(const FrameCorruption& corruption) {
  if (corruption.kind == CorruptionKind::kNone) return "none";
  return std::string(info_for(corruption.kind).name) + ":" + std::to_string(strength_of(corruption)) + "@" +
         std::to_string(corruption.from_frame);
}

cv::Mat apply_frame_corruption(const cv::Mat& frame, const FrameCorruption& corruption, int64_t index) {
  if (corruption.kind == CorruptionKind::kNone || index < corruption.from_frame) return frame;
  const double strength = strength_of(corruption);
  cv::Mat result;
  switch (corruption.kind) {
    case CorruptionKind::kBrightness:
      frame.convertTo(result, -1, strength, 0.0);
      return result;
    case CorruptionKind::kContrast: {
      const cv::Scalar mean = cv::mean(frame);
      frame.convertTo(result, CV_32F);
      result = (result - mean) * strength + mean;
      result.convertTo(result, frame.type());
      return result;
    }
    case CorruptionKind::kNoise: {
      cv::RNG generator(static_cast<uint64_t>(corruption.seed) * 1'000'003ULL + static_cast<uint64_t>(index));
      cv::Mat noise(frame.size(), CV_MAKETYPE(CV_16S, frame.channels()));
      generator.fill(noise, cv::RNG::NORMAL, 0.0, strength);
      frame.convertTo(result, noise.type());
      result += noise;
      result.convertTo(result, frame.type());
      return result;
    }
    case CorruptionKind::kBlur:
      cv::GaussianBlur(frame, result, cv::Size(0, 0), std::max(strength, 0.1));
      return result;
    case CorruptionKind::kOcclusion: {
      result = frame.clone();
      const double side = std::sqrt(std::clamp(strength, 0.0, 1.0));
      const cv::Size box(static_cast<int>(frame.cols * side), static_cast<int>(frame.rows * side));
      result(cv::Rect((frame.cols - box.width) / 2, (frame.rows - box.height) / 2, box.width, box.height)).setTo(0);
      return result;
    }
    case CorruptionKind::kBlack:
      return cv::Mat::zeros(frame.size(), frame.type());
    case CorruptionKind::kFrozen:
    case CorruptionKind::kNone:
      return frame;
  }
  return frame;
}

}  // namespace edgeloop
