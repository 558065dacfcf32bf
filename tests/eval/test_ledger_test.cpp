#include <gtest/gtest.h>

#include "edgeloop/core/error.h"
#include "edgeloop/eval/model_evaluation.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/train/training_session.h"
#include "support/temp_dir.h"
#include "train/tiny_dataset.h"

namespace edgeloop {

namespace {
std::string train_tiny(const Workspace& workspace, const std::string& data, const std::string& arch) {
  TrainOptions options;
  options.data = data;
  options.arch = arch;
  options.epochs = 2;
  options.batch = 16;
  options.threads = 1;
  return train_model(workspace, options, Json(), {}).model.id;
}
}  // namespace

TEST(TestLedger, a_second_test_of_the_same_model_is_refused_unless_forced_and_then_recorded) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = testing::make_tiny_dataset(workspace, "shapes");
  const std::string model = train_tiny(workspace, data, "linear");
  const EvaluationReport first = test_model(workspace, {.model = model, .testset = "holdout"});
  EXPECT_EQ(first.metrics.count, 30);
  EXPECT_EQ(first.earlier_models, 0);
  EXPECT_TRUE(first.note.empty());
  try {
    test_model(workspace, {.model = model, .testset = "holdout"});
    FAIL() << "a second test was allowed";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kAlreadyExists);
    EXPECT_NE(std::string(error.what()).find("--force"), std::string::npos);
  }
  const EvaluationReport forced = test_model(workspace, {.model = model, .testset = "holdout", .force = true});
  EXPECT_TRUE(forced.forced);
  Registry registry = Registry::open(workspace.registry_path());
  EXPECT_EQ(ModelStore(registry).times_tested(model, "shapes", "test:holdout"), 2);
}

TEST(TestLedger, a_test_set_used_by_earlier_models_is_labelled_reused) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = testing::make_tiny_dataset(workspace, "shapes");
  const std::string first = train_tiny(workspace, data, "linear");
  const std::string second = train_tiny(workspace, data, "knn:raw");
  test_model(workspace, {.model = first, .testset = "holdout"});
  const EvaluationReport reused = test_model(workspace, {.model = second, .testset = "holdout"});
  EXPECT_EQ(reused.earlier_models, 1);
  EXPECT_NE(reused.note.find("no longer an unbiased estimate"), std::string::npos);
  EXPECT_TRUE(reused.to_json()["ledger"]["reused"].get<bool>());
}

TEST(ModelEvaluation, eval_reports_the_issue_json_keys_and_refuses_test_splits) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string data = testing::make_tiny_dataset(workspace, "shapes");
  const std::string model = train_tiny(workspace, data, "cnn-s:w=0.5");
  const Json json = evaluate_model(workspace, {.model = model}).to_json();
  for (const char* key : {"model", "split", "accuracy", "per_class", "confusion", "ece"}) EXPECT_TRUE(json.contains(key)) << key;
  EXPECT_EQ(json["per_class"].size(), 3u);
  EXPECT_THROW(evaluate_model(workspace, {.model = model, .split = "test:holdout"}), Error);
}

}  // namespace edgeloop
