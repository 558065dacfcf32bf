#include "edgeloop/edge/mqtt_outbox.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>

#include <spdlog/spdlog.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/input_limits.h"

namespace fs = std::filesystem;

namespace edgeloop {
namespace {

constexpr const char* kMessageExtension = ".msg";
constexpr size_t kSequenceDigits = 20;
constexpr const char* kSequenceFileName = "sequence";
constexpr const char* kUnreadableFolderName = "unreadable";
constexpr const char* kTempPrefix = ".tmp-";
constexpr size_t kNamesInLogLine = 5;

std::string sequence_text(int64_t sequence) {
  char text[kSequenceDigits + 1];
  std::snprintf(text, sizeof(text), "%020lld", static_cast<long long>(sequence));
  return text;
}

// The sequence number of "<20 digits>.msg", or -1.
int64_t sequence_of(const std::string& name) {
  if (name.size() != kSequenceDigits + std::char_traits<char>::length(kMessageExtension) ||
      !name.ends_with(kMessageExtension)) {
    return -1;
  }
  for (size_t index = 0; index < kSequenceDigits; ++index) {
    if (name[index] < '0' || name[index] > '9') return -1;
  }
  return std::stoll(name.substr(0, kSequenceDigits));
}

// Writes `text` to `path` by a temp file and a rename, without fsync (see the header): a reader
// sees the old file or the new one, never a part.
void write_replacing(const fs::path& path, const std::string& text) {
  const fs::path temp = path.parent_path() / (kTempPrefix + path.filename().string());
  const int file = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (file < 0) throw io_error("mqtt queue: cannot write " + temp.string() + ": check the disk and mqtt.persistence_dir");
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t step = ::write(file, text.data() + written, text.size() - written);
    if (step <= 0) {
      ::close(file);
      ::unlink(temp.c_str());
      throw io_error("mqtt queue: cannot write " + temp.string() + " (disk full?): free space or move mqtt.persistence_dir");
    }
    written += static_cast<size_t>(step);
  }
  ::close(file);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    throw io_error("mqtt queue: cannot rename " + temp.string() + ": check mqtt.persistence_dir");
  }
}

// A stored message: "<topic>\n<payload>", both non-empty, the payload JSON with the same "seq".
std::optional<OutboxMessage> read_message(const fs::path& path, int64_t sequence) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error&) {
    return std::nullopt;
  }
  const size_t newline = text.find('\n');
  if (newline == 0 || newline == std::string::npos || newline + 1 >= text.size()) return std::nullopt;
  OutboxMessage message{sequence, text.substr(0, newline), text.substr(newline + 1)};
  const Json payload = Json::parse(message.payload, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object() || !payload.contains(kSequenceKey) || payload[kSequenceKey] != sequence) return std::nullopt;
  return message;
}

// Moves `entry` into `aside` (created on demand) under a name not taken yet.
void move_aside(const fs::path& entry, const fs::path& aside) {
  fs::create_directories(aside);
  fs::path target = aside / entry.filename();
  for (int suffix = 1; fs::exists(fs::symlink_status(target)); ++suffix) {
    target = aside / (entry.filename().string() + "." + std::to_string(suffix));
  }
  fs::rename(entry, target);
}

std::string joined_names(const std::vector<std::string>& names) {
  std::string text;
  for (size_t index = 0; index < names.size() && index < kNamesInLogLine; ++index) text += (index ? ", " : "") + names[index];
  if (names.size() > kNamesInLogLine) text += ", ...";
  return text;
}

}  // namespace

MqttOutbox::MqttOutbox(const fs::path& folder, size_t max_messages)
    : folder_(folder), max_messages_(std::max<size_t>(max_messages, 1)) {
  open_folder();
}

MqttOutbox::~MqttOutbox() {
  if (sequence_file_ >= 0) ::close(sequence_file_);
}

void MqttOutbox::open_folder() {
  std::error_code error;
  const fs::file_status status = fs::symlink_status(folder_, error);
  if (fs::exists(status) && !fs::is_directory(fs::status(folder_, error))) {
    const fs::path aside = folder_.string() + ".unreadable-" + sequence_text(std::chrono::system_clock::now().time_since_epoch().count());
    fs::rename(folder_, aside, error);
    if (error) {
      throw io_error("mqtt: the queue folder " + folder_.string() + " is a file and cannot be moved aside (" + error.message() +
                     "): remove it or set mqtt.persistence_dir");
    }
    spdlog::warn("mqtt: the queue folder {} was a file; moved it aside to {} and started an empty queue", folder_.string(),
                 aside.string());
  }
  fs::create_directories(folder_, error);
  if (error) {
    throw io_error("mqtt: cannot create the queue folder " + folder_.string() + " (" + error.message() +
                   "): check its permissions or set mqtt.persistence_dir");
  }

  std::optional<int64_t> stored_sequence;
  const fs::path aside = folder_ / kUnreadableFolderName;
  std::vector<fs::path> unreadable;
  try {
    for (const fs::directory_entry& entry : fs::directory_iterator(folder_)) {
      const std::string name = entry.path().filename().string();
      if (name == kUnreadableFolderName && entry.is_directory()) continue;
      if (name.starts_with(kTempPrefix) && entry.is_regular_file()) {   // a write cut short by a kill
        fs::remove(entry.path(), error);
        continue;
      }
      if (name == kSequenceFileName && entry.is_regular_file()) {
        const std::string text = read_file(entry.path());
        if (text.size() >= kSequenceDigits && std::all_of(text.begin(), text.begin() + kSequenceDigits, ::isdigit)) {
          stored_sequence = std::stoll(text.substr(0, kSequenceDigits));
          continue;
        }
      }
      const int64_t sequence = sequence_of(name);
      std::optional<OutboxMessage> message;
      if (sequence >= 0 && entry.is_regular_file() && !entry.is_symlink()) message = read_message(entry.path(), sequence);
      if (message) {
        messages_.push_back(std::move(*message));
      } else {
        unreadable.push_back(entry.path());
      }
    }
    for (const fs::path& entry : unreadable) {
      move_aside(entry, aside);
      moved_aside_.push_back(entry.filename().string());
    }
  } catch (const fs::filesystem_error& failure) {
    throw io_error("mqtt: cannot read the queue folder " + folder_.string() + " (" + failure.code().message() +
                   "): check its permissions or set mqtt.persistence_dir");
  }
  if (!moved_aside_.empty()) {
    spdlog::warn("mqtt: moved {} unreadable entr{} of the queue folder aside to {}: {}", moved_aside_.size(),
                 moved_aside_.size() == 1 ? "y" : "ies", aside.string(), joined_names(moved_aside_));
  }
  std::sort(messages_.begin(), messages_.end(),
            [](const OutboxMessage& left, const OutboxMessage& right) { return left.sequence < right.sequence; });
  const int64_t newest_stored = messages_.empty() ? 0 : messages_.back().sequence;
  if (stored_sequence) {
    last_sequence_ = std::max(*stored_sequence, newest_stored);
  } else {
    // No counter (a new folder, or the counter was unreadable): numbers start from the clock's
    // microseconds, above any used before, so consumers never take a new message for a duplicate.
    const int64_t now_micro = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count();
    last_sequence_ = std::max(newest_stored, now_micro);
  }
  const fs::path sequence_path = folder_ / kSequenceFileName;
  sequence_file_ = ::open(sequence_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (sequence_file_ < 0) throw io_error("mqtt: cannot open " + sequence_path.string() + ": check mqtt.persistence_dir");
  write_sequence(last_sequence_);
  if (!messages_.empty()) spdlog::info("mqtt: {} unsent message(s) in {} will be sent again", messages_.size(), folder_.string());
}

void MqttOutbox::write_sequence(int64_t sequence) {
  const std::string text = sequence_text(sequence) + "\n";
  if (::pwrite(sequence_file_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    throw io_error("mqtt queue: cannot update " + (folder_ / kSequenceFileName).string() + " (disk full?)");
  }
}

fs::path MqttOutbox::path_for(int64_t sequence) const { return folder_ / (sequence_text(sequence) + kMessageExtension); }

OutboxMessage MqttOutbox::add(const std::string& topic, const Json& payload) {
  std::lock_guard lock(mutex_);
  const int64_t sequence = last_sequence_ + 1;
  Json numbered = payload.is_object() ? payload : Json{{"value", payload}};
  numbered[kSequenceKey] = sequence;
  OutboxMessage message{sequence, topic, json_line(numbered)};
  write_sequence(sequence);
  last_sequence_ = sequence;
  write_replacing(path_for(sequence), message.topic + "\n" + message.payload);
  while (messages_.size() >= max_messages_) {
    std::error_code error;
    fs::remove(path_for(messages_.front().sequence), error);
    messages_.erase(messages_.begin());
    ++dropped_;
  }
  messages_.push_back(message);
  return message;
}

void MqttOutbox::remove(int64_t sequence) {
  std::lock_guard lock(mutex_);
  const auto found = std::lower_bound(messages_.begin(), messages_.end(), sequence,
                                      [](const OutboxMessage& message, int64_t value) { return message.sequence < value; });
  if (found == messages_.end() || found->sequence != sequence) return;   // acknowledged twice, or dropped
  std::error_code error;
  fs::remove(path_for(sequence), error);
  messages_.erase(found);
}

std::optional<OutboxMessage> MqttOutbox::find(int64_t sequence) const {
  std::lock_guard lock(mutex_);
  const auto found = std::lower_bound(messages_.begin(), messages_.end(), sequence,
                                      [](const OutboxMessage& message, int64_t value) { return message.sequence < value; });
  if (found == messages_.end() || found->sequence != sequence) return std::nullopt;
  return *found;
}

std::vector<OutboxMessage> MqttOutbox::backlog() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

size_t MqttOutbox::size() const {
  std::lock_guard lock(mutex_);
  return messages_.size();
}

int64_t MqttOutbox::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace edgeloop
