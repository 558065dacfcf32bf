// MqttOutbox: the device's durable queue of MQTT messages the broker has not acknowledged yet.
// Each message gets the next sequence number ("seq" in its JSON; numbers grow by one and are
// never reused, also across restarts; a new queue folder starts from the clock's microseconds) and is written to its own file, <seq>.msg, before it is sent; the file goes
// when the broker acknowledges the message. After a broker outage, a crash or a kill, the files
// left are the backlog, sent again on reconnection or on the next start; consumers drop
// duplicates by "seq". Anything else found in the folder at start (foreign files, empty or
// unreadable messages, subfolders) is moved aside to <folder>/unreadable/ with one log line, and
// a folder path that is a file is moved aside whole: nothing in the folder stops the device.
// Files are written with a rename but without fsync: they survive a killed process, not
// necessarily a power cut. Used by MqttPublisher. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"

namespace edgeloop {

constexpr const char* kSequenceKey = "seq";   // the sequence number's key in every MQTT payload

struct OutboxMessage {
  int64_t sequence = 0;
  std::string topic;
  std::string payload;   // JSON text, with "seq"
};

class MqttOutbox {
 public:
  // Opens (creating) `folder`, reads the backlog and moves unreadable entries aside. Throws
  // Error(kIo) naming the folder when it can be neither created nor cleaned.
  MqttOutbox(const std::filesystem::path& folder, size_t max_messages);
  ~MqttOutbox();

  // Numbers and stores a message: an object payload gains "seq", anything else is wrapped as
  // {"value": ..., "seq": n}. Beyond max_messages the oldest stored message is deleted and
  // counted in dropped(). Throws Error(kIo) when the file cannot be written.
  OutboxMessage add(const std::string& topic, const Json& payload);
  void remove(int64_t sequence);                 // acknowledged by the broker
  std::vector<OutboxMessage> backlog() const;    // every stored message, oldest first
  std::optional<OutboxMessage> find(int64_t sequence) const;
  size_t size() const;
  int64_t dropped() const;
  const std::vector<std::string>& moved_aside() const { return moved_aside_; }   // entry names, at open

 private:
  std::filesystem::path path_for(int64_t sequence) const;
  void open_folder();
  void write_sequence(int64_t sequence);

  std::filesystem::path folder_;
  size_t max_messages_;
  mutable std::mutex mutex_;
  std::vector<OutboxMessage> messages_;   // oldest first
  int64_t last_sequence_ = 0;
  int64_t dropped_ = 0;
  int sequence_file_ = -1;
  std::vector<std::string> moved_aside_;
};

}  // namespace edgeloop
