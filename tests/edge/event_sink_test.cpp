#include <gtest/gtest.h>

#include <fstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/edge/event_sink.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

TEST(JsonlSink, each_line_reaches_the_file_as_it_is_written) {
  testing::TempDir directory;
  const std::filesystem::path path = directory / "frames.jsonl";
  std::ofstream file(path);
  JsonlSink sink(file, /*all_topics=*/false);
  sink.publish(EdgeTopic::kPredictions, Json{{"frame", 1}});
  sink.publish(EdgeTopic::kPredictions, Json{{"frame", 2}});
  // Read back without flush() or closing: what a kill -9 at this point would leave.
  EXPECT_EQ(read_file(path), "{\"frame\":1}\n{\"frame\":2}\n");
}

}  // namespace
}  // namespace edgeloop
