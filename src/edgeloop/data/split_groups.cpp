#include "edgeloop/data/split_groups.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr int64_t kCaptureSessionGapMilliseconds = 10 * 60 * 1000;   // a longer pause starts a new session

struct CaptureNote {
  std::string source;   // "" when the sample has no sidecar source
  int64_t ts = -1;      // Unix ms; -1 when unknown
};

CaptureNote capture_note(const Sample& sample) {
  CaptureNote note;
  if (sample.suggested.empty()) return note;
  const Json sidecar = Json::parse(sample.suggested, nullptr, /*allow_exceptions=*/false);
  if (!sidecar.is_object()) return note;
  if (sidecar.contains("source") && sidecar["source"].is_string()) note.source = sidecar["source"].get<std::string>();
  if (sidecar.contains("ts") && sidecar["ts"].is_number_integer()) note.ts = sidecar["ts"].get<int64_t>();
  return note;
}

std::string origin_source(const std::string& origin) {
  const std::string before_fragment = origin.substr(0, origin.find('#'));
  if (before_fragment != origin) return before_fragment;
  const std::filesystem::path parent = std::filesystem::path(origin).parent_path();
  return parent.empty() ? origin : parent.string();
}

std::vector<std::string> groups_by_source(const std::vector<Sample>& samples) {
  std::vector<std::string> groups;
  for (const Sample& sample : samples) {
    const CaptureNote note = capture_note(sample);
    groups.push_back(note.source.empty() ? "origin:" + origin_source(sample.origin) : "source:" + note.source);
  }
  return groups;
}

std::vector<std::string> groups_by_capture_session(const std::vector<Sample>& samples) {
  std::vector<std::string> groups = groups_by_source(samples);
  // Per source, captures in time order; a gap over the limit starts the next session.
  std::map<std::string, std::vector<std::pair<int64_t, size_t>>> timed;
  for (size_t index = 0; index < samples.size(); ++index) {
    const CaptureNote note = capture_note(samples[index]);
    if (!note.source.empty() && note.ts >= 0) timed[note.source].emplace_back(note.ts, index);
  }
  for (auto& [source, captures] : timed) {
    std::sort(captures.begin(), captures.end());
    int64_t session_start = captures.front().first, previous = captures.front().first;
    for (const auto& [ts, index] : captures) {
      if (ts - previous > kCaptureSessionGapMilliseconds) session_start = ts;
      previous = ts;
      groups[index] = "session:" + source + "@" + std::to_string(session_start);
    }
  }
  return groups;
}

std::vector<std::string> groups_by_expression(const std::vector<Sample>& samples, const std::string& expression) {
  std::regex pattern;
  try {
    pattern = std::regex(expression);
  } catch (const std::regex_error& error) {
    throw invalid_argument("--group-by `" + expression + "` is neither capture-session, source nor a valid regular expression (" +
                           error.what() + ")");
  }
  std::vector<std::string> groups;
  for (const Sample& sample : samples) {
    std::smatch match;
    if (std::regex_search(sample.origin, match, pattern)) {
      groups.push_back("match:" + (match.size() > 1 ? match[1].str() : match[0].str()));
    } else {
      groups.push_back("sample:" + sample.object_hash);
    }
  }
  return groups;
}

}  // namespace

std::vector<std::string> split_groups(const std::vector<Sample>& samples, const std::string& group_by) {
  if (group_by == kGroupByCaptureSession) return groups_by_capture_session(samples);
  if (group_by == kGroupBySource) return groups_by_source(samples);
  return groups_by_expression(samples, group_by);
}

}  // namespace edgeloop
