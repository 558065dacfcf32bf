#include "edgeloop/edge/event_sink.h"

#include "edgeloop/core/input_limits.h"

namespace edgeloop {

std::string to_string(EdgeTopic topic) {
  switch (topic) {
    case EdgeTopic::kPredictions: return "predictions";
    case EdgeTopic::kHealth: return "health";
    case EdgeTopic::kDrift: return "drift";
    case EdgeTopic::kCaptures: return "captures";
    case EdgeTopic::kStatus: return "status";
  }
  return "status";
}

void JsonlSink::publish(EdgeTopic topic, const Json& payload) {
  if (topic != EdgeTopic::kPredictions && !all_topics_) return;
  std::string line;
  if (topic == EdgeTopic::kPredictions) {
    line = json_line(payload);
  } else {
    Json wrapped = payload.is_object() ? payload : Json{{"value", payload}};
    wrapped["topic"] = to_string(topic);
    line = json_line(wrapped);
  }
  std::lock_guard lock(mutex_);
  output_ << line << '\n';
  output_.flush();   // each line reaches the file as it is written: a killed device loses none
}

void JsonlSink::flush() {
  std::lock_guard lock(mutex_);
  output_.flush();
}

}  // namespace edgeloop
