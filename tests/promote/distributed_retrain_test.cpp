// `edgeloop retrain --distributed`: the challenger fine-tuned by two ranks on loopback (real CLI
// processes with the torchrun variables, Gloo on loopback) is the challenger one process makes,
// and rank 0 alone stores it.
#include <gtest/gtest.h>

#include "edge/loopback_port.h"
#include "edgeloop/registry/model_store.h"
#include "promote/champion_workspace.h"
#include "support/subprocess.h"
#include "train/rank_process.h"
#include "train/weight_difference.h"

namespace edgeloop {
namespace {

constexpr std::chrono::seconds kRunDeadline{120};   // a rank that takes longer has hung: the test fails
constexpr double kWeightTolerance = 1e-5;

TEST(DistributedRetrain, two_ranks_fine_tune_the_challenger_one_process_would_and_rank_0_alone_stores_it) {
  // An mlp champion with a global batch of 16 (the data-parallel tests' model: no dropout to differ).
  testing::ChampionWorkspace ws("mlp", 16, 5);
  const std::string added = ws.add_labels("captured-1");
  const std::vector<std::string> arguments{"-q",        "--threads", "1",     "--workspace",   ws.workspace.root().string(),
                                           "retrain",   "--champion", ws.champion, "--add", added,
                                           "--epochs",  "2",          "--max-seconds", "0"};
  std::string single_command = testing::kEdgeloopCli.string();
  for (const auto& argument : arguments) single_command += " " + testing::shell_quote(argument);
  const auto single = testing::run_shell(single_command + " 2>&1");
  ASSERT_EQ(single.exit_status, 0) << single.output;

  std::vector<std::string> ranked = arguments;
  ranked.push_back("--distributed");
  const int port = testing::free_loopback_port();
  testing::RankProcess rank0(0, 2, port, ranked, ws.dir / "rank0.txt");
  testing::RankProcess rank1(1, 2, port, ranked, ws.dir / "rank1.txt");
  ASSERT_EQ(rank0.wait(kRunDeadline), 0) << rank0.output();
  ASSERT_EQ(rank1.wait(kRunDeadline), 0) << rank1.output();

  Registry registry = Registry::open(ws.workspace.registry_path());
  const std::vector<ModelRecord> models = ModelStore(registry).list();
  ASSERT_EQ(models.size(), 3u) << "the champion, one process's challenger and rank 0's";
  std::vector<std::string> challengers;
  for (const ModelRecord& model : models) {
    if (model.id != ws.champion) challengers.push_back(model.id);
  }
  ASSERT_EQ(challengers.size(), 2u);
  EXPECT_LE(testing::largest_weight_difference(ws.workspace, challengers[0], challengers[1]), kWeightTolerance);
}

}  // namespace
}  // namespace edgeloop
