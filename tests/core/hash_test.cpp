#include <gtest/gtest.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/hash.h"
#include "support/temp_dir.h"

namespace edgeloop {

TEST(Hash, sha256_matches_the_standard_test_vector) {
  EXPECT_EQ(sha256_hex(std::string_view("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash, file_hash_equals_in_memory_hash) {
  testing::TempDir dir;
  const std::string text(3 * 1024 * 1024 + 7, 'x');
  write_file_atomically(dir / "big.bin", text);
  EXPECT_EQ(sha256_file(dir / "big.bin"), sha256_hex(text));
}

}  // namespace edgeloop
