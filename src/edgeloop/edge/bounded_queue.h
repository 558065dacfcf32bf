// BoundedQueue: the queue between two pipeline threads. When full, a live source's queue drops
// its oldest item (counted) so the pipeline works on the newest frames; a file source's queue
// blocks the producer (backpressure) so no frame is lost. close() lets the consumer drain what is
// left and then see the end. Thread-safe: one or more producers and consumers.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace edgeloop {

enum class WhenFull { kBlock, kDropOldest };

template <typename Item>
class BoundedQueue {
 public:
  BoundedQueue(size_t capacity, WhenFull when_full) : capacity_(capacity < 1 ? 1 : capacity), when_full_(when_full) {}

  // False when the queue was closed (the item is discarded).
  bool push(Item item) {
    std::unique_lock lock(mutex_);
    if (when_full_ == WhenFull::kBlock) {
      not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    } else if (items_.size() >= capacity_) {
      items_.pop_front();
      ++dropped_;
    }
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // The next item; nullopt once the queue is closed and empty.
  std::optional<Item> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    Item item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  int64_t dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
  }
  size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  const size_t capacity_;
  const WhenFull when_full_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Item> items_;
  bool closed_ = false;
  int64_t dropped_ = 0;
};

}  // namespace edgeloop
