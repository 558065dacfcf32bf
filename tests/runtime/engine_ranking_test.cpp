// Engine ranking: export times the device engines on a bundle's files; the device reads the ranking
// back and tries the engines in that order only when it was measured on the same kind of CPU.
#include <gtest/gtest.h>

#include <algorithm>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/engine_ranking.h"
#include "edgeloop/runtime/engine_timing.h"
#include "runtime/test_models.h"

namespace edgeloop {
namespace {

constexpr LatencyOptions kQuickLatency{/*warmup=*/2, /*iterations=*/5, /*max_seconds=*/1.0};

EngineRanking ranking_on(const std::string& cpu) {
  EngineRanking ranking;
  ranking.cpu = cpu;
  ranking.engines = {{"xnnpack", "model.onnx", 0.1}, {"onednn-int8", "model.int8.onnx", 0.2},
                     {"onednn", "model.onnx", 0.0, "cannot map op Foo"}};
  return ranking;
}

TEST(EngineRanking, rank_engines_times_every_device_engine_fastest_first) {
  EngineRanking ranking = rank_engines(testing::test_model("cnn-s"), testing::test_model("cnn-s", /*int8=*/true),
                                       /*threads=*/1, kQuickLatency);
  EXPECT_EQ(ranking.cpu, cpu_class());
  ASSERT_EQ(ranking.engines.size(), device_engines().size());
  for (size_t index = 0; index < ranking.engines.size(); ++index) {
    EXPECT_EQ(ranking.engines[index].skipped, "") << ranking.engines[index].engine;
    EXPECT_GT(ranking.engines[index].p50_ms, 0.0);
    if (index > 0) EXPECT_LE(ranking.engines[index - 1].p50_ms, ranking.engines[index].p50_ms);
  }
}

TEST(EngineRanking, without_an_int8_file_only_the_fp32_engines_are_ranked) {
  EngineRanking ranking = rank_engines(testing::test_model("cnn-s"), std::nullopt, /*threads=*/1, kQuickLatency);
  for (const RankedEngine& entry : ranking.engines) {
    EXPECT_FALSE(entry.engine.ends_with("-int8")) << entry.engine;
    EXPECT_EQ(entry.file, "model.onnx");
  }
  EXPECT_FALSE(ranking.engines.empty());
}

TEST(EngineRanking, survives_a_round_trip_through_bundle_json) {
  EngineRanking ranking = ranking_on("x86_64-vnni");
  EngineRanking read = EngineRanking::from_json(ranking.to_json());
  EXPECT_EQ(read.to_json(), ranking.to_json());
  EXPECT_EQ(read.engines[2].skipped, "cannot map op Foo");
}

TEST(EngineRanking, a_malformed_ranking_is_refused_naming_bundle_json) {
  try {
    EngineRanking::from_json(Json{{"cpu", "x86_64"}, {"engines", "fast"}});
    FAIL() << "read a malformed ranking";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kCorrupt);
    EXPECT_NE(std::string(error.what()).find("bundle.json"), std::string::npos) << error.what();
  }
}

TEST(EnginePreference, a_ranking_made_on_this_kind_of_cpu_decides_the_order) {
  auto order = engine_preference(ranking_on(cpu_class()), /*has_int8=*/true, /*prefer_int8=*/true);
  ASSERT_GE(order.size(), 2u);
  EXPECT_EQ(order[0], "xnnpack");
  EXPECT_EQ(order[1], "onednn-int8");
  // The skipped engine and the unranked ones stay as fallbacks.
  EXPECT_NE(std::find(order.begin(), order.end(), "onednn"), order.end());
  EXPECT_NE(std::find(order.begin(), order.end(), "xnnpack-int8"), order.end());
}

TEST(EnginePreference, a_ranking_from_another_kind_of_cpu_gives_way_to_this_cpus_default) {
  auto order = engine_preference(ranking_on("another-cpu"), /*has_int8=*/true, /*prefer_int8=*/true);
  EXPECT_EQ(order, engine_preference(std::nullopt, true, true));
  EXPECT_EQ(order.front(), cpu_class() == "x86_64-vnni" ? "onednn-int8" : "xnnpack-int8");
}

TEST(EnginePreference, int8_engines_only_for_a_bundle_with_an_int8_file_when_int8_is_preferred) {
  for (auto [has_int8, prefer_int8] : {std::pair{false, true}, std::pair{true, false}}) {
    auto order = engine_preference(ranking_on(cpu_class()), has_int8, prefer_int8);
    EXPECT_EQ(order.front(), "xnnpack");
    for (const std::string& name : order) EXPECT_FALSE(name.ends_with("-int8")) << name;
  }
}

}  // namespace
}  // namespace edgeloop
