#include <gtest/gtest.h>

#include "edgeloop/core/error.h"
#include "edgeloop/core/workspace.h"
#include "support/temp_dir.h"

namespace edgeloop {

TEST(Workspace, is_found_from_a_subfolder) {
  testing::TempDir dir;
  Workspace::init(dir.path());
  std::filesystem::create_directories(dir / "a" / "b");
  auto found = Workspace::find(dir / "a" / "b");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->root(), std::filesystem::canonical(dir.path()));
}

TEST(Workspace, outside_any_workspace_the_error_says_how_to_fix_it) {
  testing::TempDir dir;
  EXPECT_FALSE(Workspace::find(dir.path()).has_value());
  try {
    Workspace::open(dir.path());
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(error.what()).find("edgeloop init"), std::string::npos);
  }
}

}  // namespace edgeloop
