#include <gtest/gtest.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/config.h"
#include "edgeloop/train/step_cost_memory.h"
#include "support/temp_dir.h"

namespace edgeloop {

namespace {
const StepCostKey kCnn{"cnn-m", "1x28x28", 128, 2};
}

TEST(StepCostMemory, a_slower_measurement_keeps_the_fastest_remembered) {
  testing::TempDir dir;
  const auto file = dir.path() / "cache" / "step-costs.json";
  StepCostMemory memory(file, "cpu A, 2 cores");
  EXPECT_DOUBLE_EQ(memory.fastest({kCnn}, {0.090})[0], 0.090);
  EXPECT_DOUBLE_EQ(memory.fastest({kCnn}, {0.250})[0], 0.090);   // a hog beside the sweep
  EXPECT_DOUBLE_EQ(memory.fastest({kCnn}, {0.085})[0], 0.085);
  // Kept in the file: the next sweep reads it.
  EXPECT_DOUBLE_EQ(StepCostMemory(file, "cpu A, 2 cores").fastest({kCnn}, {0.3})[0], 0.085);
}

TEST(StepCostMemory, costs_are_kept_apart_per_machine_candidate_and_thread_count) {
  testing::TempDir dir;
  const auto file = dir.path() / "step-costs.json";
  StepCostMemory(file, "cpu A, 2 cores").fastest({kCnn}, {0.090});
  EXPECT_DOUBLE_EQ(StepCostMemory(file, "cpu B, 4 cores").fastest({kCnn}, {0.300})[0], 0.300);
  StepCostKey one_thread = kCnn;
  one_thread.threads = 1;
  StepCostKey other_batch = kCnn;
  other_batch.batch = 64;
  StepCostKey other_input = kCnn;
  other_input.input = "3x64x64";
  const auto costs = StepCostMemory(file, "cpu A, 2 cores").fastest({one_thread, other_batch, other_input, kCnn},
                                                                     {0.150, 0.050, 0.400, 0.200});
  EXPECT_EQ(costs, (std::vector<double>{0.150, 0.050, 0.400, 0.090}));
}

TEST(StepCostMemory, an_unreadable_file_is_an_empty_memory_and_is_replaced) {
  testing::TempDir dir;
  const auto file = dir.path() / "step-costs.json";
  write_file_atomically(file, std::string_view("{\"version\": 1, \"seconds_per_step\": [tru"));
  StepCostMemory memory(file, "cpu A, 2 cores");
  EXPECT_DOUBLE_EQ(memory.fastest({kCnn}, {0.2})[0], 0.2);
  EXPECT_EQ(Json::parse(read_file(file))["version"], 1);
  // A failed measurement (0, NaN) leaves what is remembered.
  EXPECT_DOUBLE_EQ(memory.fastest({kCnn}, {0.0})[0], 0.2);
  EXPECT_DOUBLE_EQ(memory.fastest({kCnn}, {std::nan("")})[0], 0.2);
}

}  // namespace edgeloop
