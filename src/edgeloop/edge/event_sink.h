// EventSink: where the pipeline's outputs go — one payload per topic (predictions, health,
// drift, captures, status), the same topics as MQTT's edgeloop/<device>/<topic>. Implementations:
// JsonlSink (stdout or a file), MqttPublisher. Called by the pipeline's publish thread and by
// the model swapper; implementations must be thread-safe.
#pragma once

#include <mutex>
#include <ostream>
#include <string>

#include "edgeloop/core/config.h"

namespace edgeloop {

enum class EdgeTopic { kPredictions, kHealth, kDrift, kCaptures, kStatus };
std::string to_string(EdgeTopic topic);   // "predictions", "health", ...

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void publish(EdgeTopic topic, const Json& payload) = 0;
  virtual void flush() {}
};

// One JSON object per line. Predictions are written as they are; other topics only when
// `all_topics`, wrapped as {"topic": "...", ...payload}. Writes to a stream the caller owns.
class JsonlSink : public EventSink {
 public:
  JsonlSink(std::ostream& output, bool all_topics) : output_(output), all_topics_(all_topics) {}
  void publish(EdgeTopic topic, const Json& payload) override;
  void flush() override;

 private:
  std::mutex mutex_;
  std::ostream& output_;
  bool all_topics_;
};

}  // namespace edgeloop
