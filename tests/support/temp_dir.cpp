#include "support/temp_dir.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "edgeloop/core/error.h"

namespace edgeloop::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "edgeloop-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw io_error("cannot create a temporary folder");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace edgeloop::testing
