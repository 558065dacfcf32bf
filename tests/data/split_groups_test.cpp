// Group-aware splits: frames of one capture session, camera or video stay on one side, stably.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/data/split.h"
#include "edgeloop/data/split_groups.h"

namespace edgeloop {
namespace {

constexpr int64_t kMinute = 60 * 1000;   // ms

// `frames` frames of each of `videos` videos: origins "clipV.mp4#frame=F".
std::vector<Sample> video_frames(int videos, int frames, int first_video = 0, int first_frame = 0) {
  std::vector<Sample> samples;
  for (int video = first_video; video < first_video + videos; ++video) {
    for (int frame = first_frame; frame < first_frame + frames; ++frame) {
      Sample sample;
      sample.origin = "clip" + std::to_string(video) + ".mp4#frame=" + std::to_string(frame);
      sample.object_hash = sha256_hex(sample.origin);
      sample.label = (video + frame) % 3;
      samples.push_back(sample);
    }
  }
  return samples;
}

Sample capture(const std::string& source, int64_t ts, int index) {
  Sample sample;
  sample.origin = std::to_string(index) + ".png";
  sample.object_hash = sha256_hex(sample.origin);
  sample.suggested = Json{{"label", "cat"}, {"score", 0.5}, {"source", source}, {"ts", ts}}.dump();
  return sample;
}

// Group → the sides its samples landed on.
std::map<std::string, std::set<std::string>> sides_by_group(const std::vector<Sample>& samples, const std::vector<std::string>& splits,
                                                            const std::string& group_by) {
  const std::vector<std::string> groups = split_groups(samples, group_by);
  std::map<std::string, std::set<std::string>> sides;
  for (size_t index = 0; index < samples.size(); ++index) sides[groups[index]].insert(splits[index]);
  return sides;
}

TEST(SplitGroups, every_video_stays_on_one_side_and_each_side_gets_its_share) {
  const auto samples = video_frames(/*videos=*/40, /*frames=*/25);
  SplitOptions options;
  options.group_by = kGroupBySource;
  const auto splits = assign_splits(samples, options, /*keep_existing=*/false);
  const auto sides = sides_by_group(samples, splits, kGroupBySource);
  EXPECT_EQ(sides.size(), 40u);
  for (const auto& [group, group_sides] : sides) EXPECT_EQ(group_sides.size(), 1u) << group;
  std::map<std::string, int> counts;
  for (const auto& split : splits) ++counts[split];
  EXPECT_EQ(counts["val"], 100);      // 4 whole videos of 25 frames: 10% of 1,000
  EXPECT_EQ(counts["test:test"], 100);
  EXPECT_EQ(counts["train"], 800);
}

TEST(SplitGroups, a_random_split_would_leak_neighbouring_frames_across_sides) {
  const auto samples = video_frames(40, 25);
  const auto splits = assign_splits(samples, SplitOptions{}, false);
  int leaking = 0;
  for (const auto& [group, group_sides] : sides_by_group(samples, splits, kGroupBySource)) leaking += group_sides.size() > 1;
  EXPECT_GT(leaking, 30);   // the very leak --group-by prevents
}

TEST(SplitGroups, split_is_stable_when_frames_and_videos_are_added) {
  SplitOptions options;
  options.group_by = kGroupBySource;
  auto samples = video_frames(30, 10);
  const auto first = assign_splits(samples, options, false);
  for (size_t index = 0; index < samples.size(); ++index) samples[index].split = first[index];
  auto more_frames = video_frames(30, 5, /*first_video=*/0, /*first_frame=*/10);   // new frames of the old videos
  auto new_videos = video_frames(10, 10, /*first_video=*/30);
  std::vector<Sample> grown = samples;
  grown.insert(grown.end(), more_frames.begin(), more_frames.end());
  grown.insert(grown.end(), new_videos.begin(), new_videos.end());
  const auto second = assign_splits(grown, options, /*keep_existing=*/true);
  for (size_t index = 0; index < samples.size(); ++index) EXPECT_EQ(second[index], first[index]);
  for (const auto& [group, group_sides] : sides_by_group(grown, second, kGroupBySource)) EXPECT_EQ(group_sides.size(), 1u) << group;
  EXPECT_EQ(assign_splits(samples, options, false), first);   // same input, same split
}

TEST(SplitGroups, a_capture_session_ends_at_a_ten_minute_gap_and_sources_differ) {
  const std::vector<Sample> samples = {capture("cam1", 0, 0), capture("cam1", 5 * kMinute, 1), capture("cam1", 30 * kMinute, 2),
                                       capture("cam2", 5 * kMinute, 3)};
  const auto groups = split_groups(samples, kGroupByCaptureSession);
  EXPECT_EQ(groups[0], groups[1]);
  EXPECT_NE(groups[1], groups[2]);
  EXPECT_NE(groups[1], groups[3]);
}

TEST(SplitGroups, a_regular_expression_groups_by_its_first_capture_and_a_bad_one_is_named) {
  std::vector<Sample> samples(3);
  samples[0].origin = "cam1/0001.png";
  samples[1].origin = "cam1/0002.png";
  samples[2].origin = "other.png";
  for (auto& sample : samples) sample.object_hash = sha256_hex(sample.origin);
  const auto groups = split_groups(samples, "^(cam[0-9]+)/");
  EXPECT_EQ(groups[0], groups[1]);
  EXPECT_NE(groups[0], groups[2]);
  try {
    split_groups(samples, "([unclosed");
    FAIL() << "a bad expression must be refused";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("([unclosed"), std::string::npos);
  }
}

}  // namespace
}  // namespace edgeloop
