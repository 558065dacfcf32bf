// Crash safety: an import killed mid-way (SIGKILL, no chance to clean up) leaves the registry
// consistent and the dataset either absent or complete.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data_test_support.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {
namespace {

constexpr int kImages = 1200;  // more than one chunk of 1024, so "import" progress comes mid-way

// Forks a child that imports and, at the first progress report of `kill_stage`, tells the parent,
// which kills it with SIGKILL. Returns once the child is gone.
void import_and_kill_child(const testing::TestWorkspace& test, const std::string& kill_stage) {
  int pipe_ends[2];
  ASSERT_EQ(::pipe(pipe_ends), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_ends[0]);
    try {
      Registry registry = Registry::open(test.workspace.registry_path());
      ImportOptions options;
      options.name = "victim";
      options.threads = 2;
      options.durable = false;  // a killed process loses nothing the page cache holds; no need to flush
      import_dataset(test.workspace, registry, test.dir / "set", options, [&](const Progress& progress) {
        if (progress.stage != kill_stage) return;
        const char signal_byte = 1;
        if (::write(pipe_ends[1], &signal_byte, 1) != 1) ::_exit(3);
        ::pause();  // wait for the kill
      });
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(0);
  }
  ::close(pipe_ends[1]);
  char byte = 0;
  const bool reached = ::read(pipe_ends[0], &byte, 1) == 1;
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(pipe_ends[0]);
  ASSERT_TRUE(reached) << "the child never reached stage " << kill_stage;
  ASSERT_TRUE(WIFSIGNALED(status));
}

void expect_consistent_and_absent(testing::TestWorkspace& test) {
  Registry registry = Registry::open(test.workspace.registry_path());
  EXPECT_EQ(registry.database().execAndGet("PRAGMA integrity_check").getString(), "ok");
  SQLite::Statement foreign_keys(registry.database(), "PRAGMA foreign_key_check");
  EXPECT_FALSE(foreign_keys.executeStep()) << "a dangling reference in table " << foreign_keys.getColumn(0).getString();
  DatasetStore store(registry);
  EXPECT_FALSE(store.try_resolve("victim").has_value());
  EXPECT_EQ(registry.database().execAndGet("SELECT COUNT(*) FROM version_samples").getInt(), 0);
  EXPECT_EQ(registry.database().execAndGet("SELECT COUNT(*) FROM objects").getInt(), 0);
  // A fresh import afterwards succeeds and is complete.
  ImportOptions options;
  options.name = "victim";
  options.durable = false;
  const ImportResult result = import_dataset(test.workspace, registry, test.dir / "set", options);
  EXPECT_EQ(result.imported, kImages);
  EXPECT_EQ(store.samples(store.resolve("victim").id).size(), static_cast<size_t>(kImages));
}

TEST(CrashSafety, import_killed_while_storing_objects_leaves_no_dataset) {
  testing::TestWorkspace test;
  testing::write_idx_pair(test.dir / "set", "train", kImages, 10, /*gzip=*/true);
  Registry::open(test.workspace.registry_path());
  import_and_kill_child(test, "import");
  expect_consistent_and_absent(test);
}

TEST(CrashSafety, import_killed_inside_the_registry_transaction_leaves_no_dataset) {
  testing::TestWorkspace test;
  testing::write_idx_pair(test.dir / "set", "train", kImages, 10, /*gzip=*/true);
  Registry::open(test.workspace.registry_path());
  import_and_kill_child(test, "register");  // reported after every row is written, before the commit
  expect_consistent_and_absent(test);
}

}  // namespace
}  // namespace edgeloop
