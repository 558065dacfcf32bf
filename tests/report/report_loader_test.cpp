// Pins reading reports from a real SQLite registry: what an argument names, the class balance
// counted from the version's samples, a model's run, evaluations and test-set reuse, and the page
// written atomically where asked.
#include <gtest/gtest.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/report/report_loader.h"
#include "report/tiny_registry.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

using testing::fill_tiny_registry;
using testing::TempDir;

TEST(ReportLoader, argument_names_a_run_model_sweep_or_edge_log) {
  TempDir temp;
  const Workspace workspace = Workspace::init(temp.path());
  Registry registry = Registry::open(workspace.registry_path());
  const auto ids = fill_tiny_registry(registry);
  write_file_atomically(temp / "edge.jsonl", std::string(R"({"frame":1,"score":0.9})") + "\n");
  EXPECT_EQ(resolve_report_kind(&registry, ids.run_id), ReportKind::kRun);
  EXPECT_EQ(resolve_report_kind(&registry, ids.model_id), ReportKind::kModel);
  EXPECT_EQ(resolve_report_kind(&registry, ids.sweep_id), ReportKind::kSweep);
  EXPECT_EQ(resolve_report_kind(&registry, (temp / "edge.jsonl").string()), ReportKind::kEdgeLog);
  EXPECT_THROW(resolve_report_kind(&registry, "nothing-like-this"), Error);
}

TEST(ReportLoader, class_balance_is_counted_per_split_from_the_version) {
  TempDir temp;
  Registry registry = Registry::open(temp / "registry.db");
  const auto ids = fill_tiny_registry(registry);
  const ClassBalance balance = load_class_balance(registry, ids.version_id);
  EXPECT_EQ(balance.dataset_version, "tiny@1");
  int64_t total = 0;
  for (const auto& [split, counts] : balance.counts) {
    ASSERT_EQ(counts.size(), 3u) << split;
    for (int64_t count : counts) total += count;
  }
  EXPECT_EQ(total, 30);
  EXPECT_EQ(balance.counts.at("val")[0] + balance.counts.at("val")[1] + balance.counts.at("val")[2], 6);
}

TEST(ReportLoader, model_report_has_its_run_evaluations_and_test_set_reuse) {
  TempDir temp;
  Registry registry = Registry::open(temp / "registry.db");
  const auto ids = fill_tiny_registry(registry);
  const ModelReportData data = load_model_report(registry, ids.model_id);
  ASSERT_TRUE(data.run.has_value());
  EXPECT_EQ(data.run->epochs.size(), 3u);
  EXPECT_EQ(data.run->diagnosis["verdict"], "underfitting");
  ASSERT_EQ(data.evaluations.size(), 2u);
  const auto& test = data.evaluations[1].split == "test:official" ? data.evaluations[1] : data.evaluations[0];
  EXPECT_EQ(test.earlier_models, 1);
  EXPECT_EQ(test.labels, (std::vector<std::string>{"cat", "dog", "bird"}));   // names from the version
}

TEST(ReportLoader, write_report_writes_the_page_where_asked) {
  TempDir temp;
  const Workspace workspace = Workspace::init(temp.path());
  {
    Registry registry = Registry::open(workspace.registry_path());
    fill_tiny_registry(registry);
  }
  ReportRequest request;
  request.argument = "s-00000000000a";
  request.out = temp / "sweep.html";
  const ReportResult result = write_report(&workspace, request);
  EXPECT_EQ(result.kind, ReportKind::kSweep);
  const std::string html = read_file(temp / "sweep.html");
  EXPECT_NE(html.find("only one"), std::string::npos);
  EXPECT_NE(html.find("tiny@1"), std::string::npos);
}

}  // namespace
}  // namespace edgeloop
