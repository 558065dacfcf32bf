// Data-parallel training over torch.distributed's Gloo backend, as users launch it: real
// `edgeloop train --distributed` processes on loopback, each rank a child process with the
// torchrun variables, on a tiny generated dataset.
#include <gtest/gtest.h>

#include <algorithm>

#include <SQLiteCpp/SQLiteCpp.h>

#include "edge/loopback_port.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/registry.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "train/rank_process.h"
#include "train/tiny_dataset.h"
#include "train/weight_difference.h"

namespace edgeloop {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr seconds kRunDeadline{120};        // a rank that takes longer has hung: the test fails
constexpr seconds kStopDeadline{30};        // the bound for a survivor to stop
constexpr double kWeightTolerance = 1e-5;
constexpr int kInvalidArgumentStatus = 2;   // ErrorCode::kInvalidArgument

// 31 training images per class: 93 in all, so the last global batch of 16 holds 13 and splits 6/7.
std::string make_data(const Workspace& workspace, unsigned seed = 1) {
  return testing::make_tiny_dataset(workspace, "shapes", {.train_per_class = 31, .seed = seed});
}

std::vector<std::string> train_arguments(const Workspace& workspace, const std::string& data,
                                         const std::vector<std::string>& extra) {
  std::vector<std::string> arguments{"-q",     "--threads", "1",   "--workspace", workspace.root().string(),
                                     "train",  "--data",    data,  "--arch",      "mlp",
                                     "--batch", "16",       "--lr", "0.003",      "--seed",
                                     "5"};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

std::vector<std::string> plus(std::vector<std::string> arguments, const std::vector<std::string>& more) {
  arguments.insert(arguments.end(), more.begin(), more.end());
  return arguments;
}

int64_t count_rows(const Workspace& workspace, const std::string& table, const std::string& condition = "1") {
  Registry registry = Registry::open(workspace.registry_path());
  SQLite::Statement query(registry.database(), "SELECT COUNT(*) FROM " + table + " WHERE " + condition);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

bool checkpoint_exists(const Workspace& workspace) {
  const fs::path runs = workspace.state_dir() / "runs";
  if (!fs::exists(runs)) return false;
  for (const auto& run : fs::directory_iterator(runs)) {
    if (fs::exists(run.path() / "checkpoint.pt")) return true;
  }
  return false;
}

class DistributedTraining : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fs::exists(testing::kEdgeloopCli)) << testing::kEdgeloopCli << " is not built"; }
};

TEST_F(DistributedTraining, two_ranks_end_with_the_weights_of_one_process_with_the_same_global_batch) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = make_data(workspace);
  const std::vector<std::string> arguments = train_arguments(workspace, data, {"--epochs", "2"});

  std::string single_command = testing::kEdgeloopCli.string();
  for (const auto& argument : arguments) single_command += " " + testing::shell_quote(argument);
  const auto single = testing::run_shell(single_command + " 2>&1");
  ASSERT_EQ(single.exit_status, 0) << single.output;
  Registry registry = Registry::open(workspace.registry_path());
  const std::string single_model = ModelStore(registry).list().at(0).id;

  const int port = testing::free_loopback_port();
  testing::RankProcess rank0(0, 2, port, plus(arguments, {"--distributed"}), dir / "rank0.txt");
  testing::RankProcess rank1(1, 2, port, plus(arguments, {"--distributed"}), dir / "rank1.txt");
  ASSERT_EQ(rank0.wait(kRunDeadline), 0) << rank0.output();
  ASSERT_EQ(rank1.wait(kRunDeadline), 0) << rank1.output();
  EXPECT_NE(rank1.output().find("rank 0 stored the model"), std::string::npos) << rank1.output();

  const std::vector<ModelRecord> models = ModelStore(registry).list();
  ASSERT_EQ(models.size(), 2u) << "rank 0 alone stores a model";
  const std::string parallel_model = models.at(0).id == single_model ? models.at(1).id : models.at(0).id;
  const double largest_difference = testing::largest_weight_difference(workspace, single_model, parallel_model);
  EXPECT_LE(largest_difference, kWeightTolerance);
  EXPECT_GT(count_rows(workspace, "epochs"), 0);
  ASSERT_TRUE(models.at(0).val_accuracy.has_value() && models.at(1).val_accuracy.has_value());
  EXPECT_NEAR(*models.at(0).val_accuracy, *models.at(1).val_accuracy, 1e-9);
}

TEST_F(DistributedTraining, a_killed_rank_stops_the_other_naming_it_and_resume_continues_the_run) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = make_data(workspace);
  const std::vector<std::string> endless =
      train_arguments(workspace, data, {"--epochs", "100000", "--patience", "100000", "--distributed"});
  const int port = testing::free_loopback_port();
  {
    testing::RankProcess rank0(0, 2, port, endless, dir / "rank0.txt");
    testing::RankProcess rank1(1, 2, port, endless, dir / "rank1.txt");
    const auto start = std::chrono::steady_clock::now();
    while (!checkpoint_exists(workspace) && std::chrono::steady_clock::now() - start < kRunDeadline) {
      ASSERT_FALSE(rank0.wait(seconds(0))) << rank0.output();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(checkpoint_exists(workspace)) << rank0.output();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));   // into a later epoch
    rank1.kill();
    const auto killed_at = std::chrono::steady_clock::now();
    const std::optional<int> status = rank0.wait(kStopDeadline + seconds(10));
    const auto stopped_after = std::chrono::steady_clock::now() - killed_at;
    ASSERT_TRUE(status.has_value()) << "rank 0 still runs 40 s after rank 1 was killed";
    EXPECT_LT(stopped_after, kStopDeadline);
    EXPECT_NE(*status, 0);
    EXPECT_NE(rank0.output().find("rank 1 of 2 stopped"), std::string::npos) << rank0.output();
  }
  EXPECT_EQ(count_rows(workspace, "models"), 0) << "no model from the failed run";
  EXPECT_EQ(count_rows(workspace, "runs", "status = 'failed'"), 1);

  // Both ranks again with --resume: the run continues from rank 0's checkpoint and is stored.
  const std::vector<std::string> resumed = plus(endless, {"--resume", "--max-seconds", "0.5", "--json"});
  testing::RankProcess rank0(0, 2, port, resumed, dir / "resume0.txt");
  testing::RankProcess rank1(1, 2, port, resumed, dir / "resume1.txt");
  ASSERT_EQ(rank0.wait(kRunDeadline), 0) << rank0.output();
  ASSERT_EQ(rank1.wait(kRunDeadline), 0) << rank1.output();
  EXPECT_EQ(rank0.output().find("\"resumed_from_epoch\": 0"), std::string::npos) << rank0.output();
  EXPECT_EQ(count_rows(workspace, "models"), 1);
  EXPECT_EQ(count_rows(workspace, "runs"), 1) << "the failed run continued, not a new one";
}

TEST_F(DistributedTraining, ranks_with_different_dataset_versions_are_refused_before_the_first_step) {
  testing::TempDir dir;
  const Workspace first = Workspace::init(dir / "first");
  const Workspace second = Workspace::init(dir / "second");
  const std::string data = make_data(first, /*seed=*/1);
  ASSERT_EQ(make_data(second, /*seed=*/2), data);   // same name and number, other images
  const int port = testing::free_loopback_port();
  testing::RankProcess rank0(0, 2, port, train_arguments(first, data, {"--epochs", "2", "--distributed"}),
                             dir / "rank0.txt");
  testing::RankProcess rank1(1, 2, port, train_arguments(second, data, {"--epochs", "2", "--distributed"}),
                             dir / "rank1.txt");
  ASSERT_EQ(rank0.wait(kRunDeadline), kInvalidArgumentStatus) << rank0.output();
  ASSERT_EQ(rank1.wait(kRunDeadline), kInvalidArgumentStatus) << rank1.output();
  for (const std::string& output : {rank0.output(), rank1.output()}) {
    EXPECT_NE(output.find("rank 1 of 2 sees dataset_version"), std::string::npos) << output;
  }
  EXPECT_EQ(count_rows(first, "runs"), 0) << "refused before a run was recorded";
  EXPECT_EQ(count_rows(first, "models"), 0);
}

TEST_F(DistributedTraining, balance_ranks_without_distributed_is_refused_in_one_line_before_anything_is_read) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = make_data(workspace);
  std::string train_command = testing::kEdgeloopCli.string();
  for (const auto& argument : train_arguments(workspace, data, {"--balance-ranks"})) {
    train_command += " " + testing::shell_quote(argument);
  }
  const std::string retrain_command = testing::kEdgeloopCli.string() + " --workspace " +
                                      testing::shell_quote(workspace.root().string()) +
                                      " retrain --champion nothing --add nothing --balance-ranks";
  for (const std::string& command : {train_command, retrain_command}) {
    const auto refused = testing::run_shell(command + " 2>&1");
    EXPECT_EQ(refused.exit_status, kInvalidArgumentStatus) << refused.output;
    EXPECT_NE(refused.output.find("--balance-ranks shares batches between the ranks of a job: add --distributed"),
              std::string::npos)
        << refused.output;
    EXPECT_EQ(std::count(refused.output.begin(), refused.output.end(), '\n'), 1) << refused.output;
  }
  EXPECT_EQ(count_rows(workspace, "runs"), 0);
}

}  // namespace
}  // namespace edgeloop
