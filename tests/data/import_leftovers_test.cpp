// What must not hang or linger: a FIFO named like an image is skipped without being opened, and
// the objects a killed import stored but never registered are removed by the next import.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "data_test_support.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/registered_objects.h"

namespace edgeloop {
namespace {

namespace fs = std::filesystem;
using testing::TestWorkspace;

using testing::named;

// Object files in the store (temporary files excluded).
std::set<std::string> stored_objects(const Workspace& workspace) {
  std::set<std::string> hashes;
  for (const auto& entry : fs::recursive_directory_iterator(workspace.objects_dir())) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && !name.starts_with(".")) hashes.insert(entry.path().parent_path().filename().string() + name);
  }
  return hashes;
}

TEST(ImportLeftovers, a_fifo_named_like_an_image_is_rejected_without_blocking_and_leaves_no_orphans) {
  TestWorkspace test;
  testing::write_image(test.dir / "set" / "cat" / "a.png", testing::seeded_image(1));
  testing::write_image(test.dir / "set" / "cat" / "b.png", testing::seeded_image(2));
  ASSERT_EQ(::mkfifo((test.dir / "set" / "cat" / "x.png").c_str(), 0644), 0);
  ::alarm(30);  // opening the FIFO for reading would block forever: SIGALRM ends the test as a failure
  const ImportResult result = import_dataset(test.workspace, test.registry, test.dir / "set", named("pets"));
  ::alarm(0);
  EXPECT_EQ(result.imported, 2);
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].path, "cat/x.png");
  EXPECT_NE(result.rejects[0].reason.find("not a regular file (a FIFO)"), std::string::npos) << result.rejects[0].reason;
  const std::unordered_set<std::string> registered = registered_object_hashes(test.registry);
  EXPECT_EQ(stored_objects(test.workspace), std::set<std::string>(registered.begin(), registered.end()));
}

TEST(ImportLeftovers, a_fifo_as_the_import_source_is_refused_without_blocking) {
  TestWorkspace test;
  ASSERT_EQ(::mkfifo((test.dir / "manifest.csv").c_str(), 0644), 0);
  ::alarm(30);
  try {
    import_dataset(test.workspace, test.registry, test.dir / "manifest.csv", named("m"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("manifest.csv"), std::string::npos) << error.what();
  }
  ::alarm(0);
}

TEST(ImportLeftovers, objects_a_killed_import_stored_but_never_registered_are_removed_by_the_next_import) {
  TestWorkspace test;
  testing::write_image(test.dir / "set" / "cat" / "a.png", testing::seeded_image(1));
  import_dataset(test.workspace, test.registry, test.dir / "set", named("pets"));
  ObjectStore objects(test.workspace);
  const std::string orphan = objects.put(std::vector<uint8_t>{1, 2, 3}).hash;  // stored, never registered
  ASSERT_TRUE(objects.contains(orphan));
  testing::write_image(test.dir / "more" / "dog" / "b.png", testing::seeded_image(2));
  import_dataset(test.workspace, test.registry, test.dir / "more", named("dogs"));
  EXPECT_FALSE(objects.contains(orphan));
  const std::unordered_set<std::string> registered = registered_object_hashes(test.registry);
  EXPECT_EQ(stored_objects(test.workspace), std::set<std::string>(registered.begin(), registered.end()));
  EXPECT_EQ(registered.size(), 2u);
}

}  // namespace
}  // namespace edgeloop
