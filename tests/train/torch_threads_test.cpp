#include <dlfcn.h>
#include <gtest/gtest.h>

#include "edgeloop/train/torch_threads.h"

namespace edgeloop {

// --threads bounds OpenBLAS's own pool too, not only LibTorch's intra-op threads.
TEST(TorchThreads, the_thread_count_bounds_openblas_when_it_is_the_blas_loaded) {
  using GetThreads = int (*)();
  auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (get == nullptr) GTEST_SKIP() << "libblas.so.3 is not OpenBLAS here (install libopenblas0-pthread)";
  EXPECT_EQ(set_torch_threads(1), 1);
  EXPECT_EQ(get(), 1);
  EXPECT_EQ(set_torch_threads(2), 2);
  EXPECT_EQ(get(), 2);
  set_torch_threads(1);
}

}  // namespace edgeloop
