// The MQTT outbox on a real folder: stray entries never stop it from opening, numbers continue
// across restarts, the backlog of a killed device is kept, and the oldest go beyond the limit.
#include <gtest/gtest.h>

#include <fstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/edge/mqtt_outbox.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

namespace fs = std::filesystem;

constexpr size_t kLimit = 100;

std::vector<int64_t> sequences(const std::vector<OutboxMessage>& messages) {
  std::vector<int64_t> numbers;
  for (const OutboxMessage& message : messages) numbers.push_back(message.sequence);
  return numbers;
}

TEST(MqttOutbox, messages_are_numbered_and_kept_until_acknowledged_across_reopening) {
  testing::TempDir directory;
  int64_t first = 0;
  {
    MqttOutbox outbox(directory / "queue", kLimit);
    first = outbox.add("edgeloop/cam/predictions", Json{{"frame", 1}}).sequence;
    const OutboxMessage second = outbox.add("edgeloop/cam/predictions", Json{{"frame", 2}});
    EXPECT_EQ(second.sequence, first + 1);
    EXPECT_EQ(Json::parse(second.payload)["seq"], first + 1);
    outbox.add("edgeloop/cam/status", Json("not an object"));
    outbox.remove(first);
  }   // as if the device were killed here: two messages not acknowledged
  MqttOutbox reopened(directory / "queue", kLimit);
  EXPECT_EQ(sequences(reopened.backlog()), (std::vector<int64_t>{first + 1, first + 2}));
  EXPECT_EQ(Json::parse(reopened.backlog()[1].payload)["value"], "not an object");
  EXPECT_EQ(reopened.backlog()[1].topic, "edgeloop/cam/status");
  EXPECT_EQ(reopened.add("t", Json::object()).sequence, first + 3);
  EXPECT_TRUE(reopened.moved_aside().empty());
}

TEST(MqttOutbox, stray_files_in_the_folder_are_moved_aside_and_the_backlog_kept) {
  testing::TempDir directory;
  const fs::path queue = directory / "queue";
  int64_t kept = 0;
  {
    MqttOutbox outbox(queue, kLimit);
    kept = outbox.add("edgeloop/cam/predictions", Json{{"frame", 7}}).sequence;
  }
  write_file_atomically(queue / "notes.txt", std::string_view("hello"));
  std::ofstream(queue / "00000000000000000003.msg").close();                        // 0 bytes
  write_file_atomically(queue / "00000000000000000004.msg", std::string_view("edgeloop/cam/x\n{\"seq\": 9}"));  // wrong number
  fs::create_directories(queue / "edgeloop-cam-tcp127.0.0.11883");                  // Paho's old session folder
  MqttOutbox outbox(queue, kLimit);
  EXPECT_EQ(sequences(outbox.backlog()), (std::vector<int64_t>{kept}));
  EXPECT_EQ(outbox.moved_aside().size(), 4u);
  EXPECT_TRUE(fs::exists(queue / "unreadable" / "notes.txt"));
  EXPECT_TRUE(fs::exists(queue / "unreadable" / "edgeloop-cam-tcp127.0.0.11883"));
  EXPECT_FALSE(fs::exists(queue / "notes.txt"));
  EXPECT_EQ(outbox.add("t", Json::object()).sequence, kept + 1);
}

TEST(MqttOutbox, a_queue_folder_replaced_by_a_file_is_moved_aside_and_a_new_one_started) {
  testing::TempDir directory;
  write_file_atomically(directory / "queue", std::string_view("not a folder"));
  MqttOutbox outbox(directory / "queue", kLimit);
  EXPECT_TRUE(fs::is_directory(directory / "queue"));
  EXPECT_TRUE(outbox.backlog().empty());
  int aside = 0;
  for (const auto& entry : fs::directory_iterator(directory.path())) aside += entry.path().filename().string().starts_with("queue.unreadable-");
  EXPECT_EQ(aside, 1);
}

TEST(MqttOutbox, a_damaged_counter_restarts_numbers_above_every_earlier_one) {
  testing::TempDir directory;
  int64_t last = 0;
  {
    MqttOutbox outbox(directory / "queue", kLimit);
    last = outbox.add("t", Json::object()).sequence;
    outbox.remove(last);
  }
  write_file_atomically(directory / "queue" / "sequence", std::string_view("garbage"));
  MqttOutbox outbox(directory / "queue", kLimit);
  EXPECT_GT(outbox.add("t", Json::object()).sequence, last);
}

TEST(MqttOutbox, beyond_the_limit_the_oldest_are_dropped_and_counted) {
  testing::TempDir directory;
  MqttOutbox outbox(directory / "queue", /*max_messages=*/3);
  std::vector<int64_t> added;
  for (int frame = 0; frame < 5; ++frame) added.push_back(outbox.add("t", Json{{"frame", frame}}).sequence);
  EXPECT_EQ(outbox.dropped(), 2);
  EXPECT_EQ(sequences(outbox.backlog()), (std::vector<int64_t>{added[2], added[3], added[4]}));
  MqttOutbox reopened(directory / "queue", 3);
  EXPECT_EQ(reopened.backlog().size(), 3u);
}

}  // namespace
}  // namespace edgeloop
