// What killed processes leave (temporary files, staging folders, a bundle moved aside) is swept
// when the workspace is opened, and a published folder is never missing or half there.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/publish_folder.h"
#include "edgeloop/core/leftover_files.h"
#include "edgeloop/core/workspace.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

namespace fs = std::filesystem;

// The PID of a process that has exited (and been reaped): a writer that was killed.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(LeftoverFiles, names_carry_their_writer) {
  const pid_t dead = dead_pid();
  EXPECT_EQ(leftover_writer(temporary_path_for("/x/ab12", dead, 7).filename().string())->pid, dead);
  EXPECT_EQ(leftover_writer(staging_path_for("/x/bundle", dead).filename().string())->pid, dead);
  EXPECT_EQ(leftover_writer(aside_path_for("/x/bundle", dead).filename().string())->pid, dead);
  // A running writer's names carry its start time too.
  const std::optional<uint64_t> own_start = process_start_ticks(::getpid());
  ASSERT_TRUE(own_start.has_value());
  for (const fs::path& name : {temporary_path_for("/x/ab12", ::getpid(), 7), staging_path_for("/x/bundle", ::getpid()),
                               aside_path_for("/x/bundle", ::getpid())}) {
    const std::optional<LeftoverWriter> writer = leftover_writer(name.filename().string());
    ASSERT_TRUE(writer.has_value()) << name;
    EXPECT_EQ(writer->pid, ::getpid()) << name;
    EXPECT_EQ(writer->start_ticks, own_start) << name;
  }
  EXPECT_EQ(leftover_writer(".bundle.partial-77")->pid, 77);   // an older edgeloop's name
  EXPECT_FALSE(leftover_writer(".bundle.partial-77")->start_ticks.has_value());
  EXPECT_FALSE(leftover_writer("model.onnx").has_value());
  EXPECT_FALSE(leftover_writer(".hidden").has_value());
  EXPECT_FALSE(leftover_writer(".x.tmp.notapid.1").has_value());
}

TEST(LeftoverFiles, opening_a_workspace_sweeps_what_dead_writers_left_and_keeps_live_ones) {
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir / "ws");
  const pid_t dead = dead_pid();
  const fs::path object = workspace.objects_dir() / "ab" / "cdef";
  write_file_atomically(object, "kept");
  write_file_atomically(temporary_path_for(object, dead, 0), "half an object");
  write_file_atomically(temporary_path_for(workspace.registry_path(), dead, 3), "half a file");
  write_file_atomically(staging_path_for(workspace.model_dir("m-1"), dead) / "weights.bin", "half a model");
  const fs::path live = temporary_path_for(object, ::getpid(), 9);  // a write in progress
  write_file_atomically(live, "being written");

  Workspace::open(dir / "ws");

  EXPECT_FALSE(fs::exists(temporary_path_for(object, dead, 0)));
  EXPECT_FALSE(fs::exists(temporary_path_for(workspace.registry_path(), dead, 3)));
  EXPECT_FALSE(fs::exists(staging_path_for(workspace.model_dir("m-1"), dead)));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_EQ(read_file(object), "kept");
}

TEST(LeftoverFiles, a_leftover_whose_pid_now_names_another_process_is_swept_and_its_writers_own_is_kept) {
  // A running process stands in for one that was given the PID of a killed writer.
  const pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  const std::optional<uint64_t> start = process_start_ticks(child);
  ASSERT_TRUE(start.has_value());
  testing::TempDir dir;
  const fs::path bundle = dir / "out" / "bundle";
  const std::string pid = std::to_string(child);
  const fs::path reused = dir / "out" / (".bundle.partial-" + pid + "-" + std::to_string(*start - 1));
  const fs::path writing = dir / "out" / (".bundle.partial-" + pid + "-" + std::to_string(*start));
  write_file_atomically(reused / "model.onnx", "left by the killed writer");
  write_file_atomically(writing / "model.onnx", "being written");
  const SweepResult result = sweep_leftovers_of(bundle);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(result.removed, 1);
  EXPECT_FALSE(fs::exists(reused));
  EXPECT_TRUE(fs::exists(writing));
}

TEST(LeftoverFiles, a_leftover_of_a_killed_writer_whose_pid_the_sweeper_now_holds_is_swept_and_the_sweepers_own_is_kept) {
  // Once PIDs wrap around, a killed writer's PID may be the sweeper's own: its start time differs.
  const std::optional<uint64_t> own_start = process_start_ticks(::getpid());
  ASSERT_TRUE(own_start.has_value());
  ASSERT_GT(*own_start, 0u);
  testing::TempDir dir;
  const fs::path bundle = dir / "out" / "bundle";
  const std::string pid = std::to_string(::getpid());
  const fs::path killed = dir / "out" / (".bundle.partial-" + pid + "-" + std::to_string(*own_start - 1));
  const fs::path own = staging_path_for(bundle, ::getpid());
  const fs::path own_without_start = dir / "out" / (".bundle.old-" + pid);   // an older edgeloop's name: kept
  write_file_atomically(killed / "model.onnx", "left by the killed writer");
  write_file_atomically(own / "model.onnx", "being written");
  write_file_atomically(own_without_start / "model.onnx", "cannot tell");
  write_file_atomically(bundle / "model.onnx", "published");
  const SweepResult result = sweep_leftovers_of(bundle);
  EXPECT_EQ(result.removed, 1);
  EXPECT_FALSE(fs::exists(killed));
  EXPECT_TRUE(fs::exists(own));
  EXPECT_TRUE(fs::exists(own_without_start));
}

TEST(LeftoverFiles, a_leftover_of_a_killed_writer_not_yet_reaped_is_swept) {
  // The kill -9 bench killed an export and its parent shell; PID 1 reaped the orphan 1.7 s later,
  // and the next export's sweep, sooner than that, kept the killed export's staging folder.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  // The child has exited; this process, its parent, has not reaped it: a zombie.
  std::optional<uint64_t> start;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::ifstream stat_file("/proc/" + std::to_string(child) + "/stat");
    std::string line;
    std::getline(stat_file, line);
    if (line.find(") Z ") != std::string::npos) {
      start = process_start_ticks(child);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(start.has_value()) << "the child never showed as a zombie";
  testing::TempDir dir;
  const fs::path bundle = dir / "out" / "bundle";
  const fs::path staging = dir / "out" / (".bundle.partial-" + std::to_string(child) + "-" + std::to_string(*start));
  write_file_atomically(staging / "model.onnx", "left by the killed writer");
  const SweepResult result = sweep_leftovers_of(bundle);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(result.removed, 1);
  EXPECT_FALSE(fs::exists(staging));
}

TEST(LeftoverFiles, a_bundle_moved_aside_by_a_killed_publish_is_restored) {
  testing::TempDir dir;
  const pid_t dead = dead_pid();
  const fs::path bundle = dir / "out" / "bundle";
  write_file_atomically(aside_path_for(bundle, dead) / "model.onnx", "old model");
  write_file_atomically(staging_path_for(bundle, dead) / "model.onnx", "new model, unfinished");
  write_file_atomically(dir / "out" / ".unrelated.old-1", "not ours");
  const SweepResult result = sweep_leftovers_of(bundle);
  EXPECT_EQ(result.restored, 1);
  EXPECT_EQ(result.removed, 1);
  EXPECT_EQ(read_file(bundle / "model.onnx"), "old model");
  EXPECT_FALSE(fs::exists(staging_path_for(bundle, dead)));
  EXPECT_TRUE(fs::exists(dir / "out" / ".unrelated.old-1"));
}

TEST(LeftoverFiles, publish_replaces_a_folder_without_a_moment_where_its_file_is_missing) {
  testing::TempDir dir;
  const fs::path target = dir / "bundle";
  write_file_atomically(target / "model.onnx", "version 0");
  std::atomic<bool> done{false};
  std::atomic<int> missing{0};
  std::thread reader([&] {
    while (!done) {
      if (::access((target / "model.onnx").c_str(), F_OK) != 0) ++missing;
    }
  });
  constexpr int kPublishes = 60;
  for (int version = 1; version <= kPublishes; ++version) {
    const fs::path staging = staging_path_for(target, ::getpid());
    write_file_atomically(staging / "model.onnx", "version " + std::to_string(version));
    publish_folder(staging, target);
  }
  done = true;
  reader.join();
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(read_file(target / "model.onnx"), "version " + std::to_string(kPublishes));
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1) << "no staging or aside folder is left";
}

}  // namespace
}  // namespace edgeloop
