// BoundedQueue: the queue between two pipeline threads. When full, a live source's queue drops
// its oldest item (counted) so the pipeline works on the newest frames; a file source's queue
// blocks the producer (backpressure) so no frame is lost. close() lets the consumer drain what is
// left and then see the end. Items move in batches (push_all, pop_some) so that a stage busy with
// a backlog takes one lock and wakes its neighbour once per batch, not once per frame; a thread is
// woken only when it waits, after the lock is released. Thread-safe: one or more producers and
// consumers.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace edgeloop {

enum class WhenFull { kBlock, kDropOldest };

template <typename Item>
class BoundedQueue {
 public:
  BoundedQueue(size_t capacity, WhenFull when_full) : capacity_(capacity < 1 ? 1 : capacity), when_full_(when_full) {}

  // False when the queue was closed (the item is discarded).
  bool push(Item item) {
    std::unique_lock lock(mutex_);
    if (!wait_for_room(lock)) return false;
    items_.push_back(std::move(item));
    wake_consumer(lock);
    return true;
  }

  // Pushes every item of `items` in order, as push() would one by one, and clears `items`. A
  // blocking queue hands over what fits, waking the consumer once, then waits for room for the
  // rest. False when the queue was closed (the items not yet pushed are discarded).
  bool push_all(std::vector<Item>& items) {
    size_t next = 0;
    bool open = true;
    while (next < items.size()) {
      std::unique_lock lock(mutex_);
      if (!wait_for_room(lock)) {
        open = false;
        break;
      }
      do {
        if (items_.size() >= capacity_) drop_oldest();
        items_.push_back(std::move(items[next++]));
      } while (next < items.size() && (when_full_ == WhenFull::kDropOldest || items_.size() < capacity_));
      wake_consumer(lock);
    }
    items.clear();
    return open;
  }

  // The next item; nullopt once the queue is closed and empty.
  std::optional<Item> pop() {
    std::unique_lock lock(mutex_);
    if (!wait_for_items(lock)) return std::nullopt;
    Item item = std::move(items_.front());
    items_.pop_front();
    wake_producers(lock);
    return item;
  }

  // Waits for at least one item, then moves up to `max_items` (oldest first) into `into`, which
  // is cleared first. False once the queue is closed and empty.
  bool pop_some(std::vector<Item>& into, size_t max_items) {
    into.clear();
    std::unique_lock lock(mutex_);
    if (!wait_for_items(lock)) return false;
    while (!items_.empty() && into.size() < max_items) {
      into.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    wake_producers(lock);
    return true;
  }

  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
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
  size_t capacity() const { return capacity_; }

 private:
  // Blocks a kBlock producer until there is room; a kDropOldest one never waits. False if closed.
  bool wait_for_room(std::unique_lock<std::mutex>& lock) {
    if (when_full_ == WhenFull::kBlock) {
      ++producers_waiting_;
      not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
      --producers_waiting_;
    } else if (items_.size() >= capacity_) {
      drop_oldest();
    }
    return !closed_;
  }
  bool wait_for_items(std::unique_lock<std::mutex>& lock) {
    ++consumers_waiting_;
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    --consumers_waiting_;
    return !items_.empty();
  }
  void drop_oldest() {
    items_.pop_front();
    ++dropped_;
  }
  // Both release the lock before waking, so the woken thread does not block on it again.
  void wake_consumer(std::unique_lock<std::mutex>& lock) {
    const bool waiting = consumers_waiting_ > 0;
    lock.unlock();
    if (waiting) not_empty_.notify_one();
  }
  void wake_producers(std::unique_lock<std::mutex>& lock) {
    const bool waiting = producers_waiting_ > 0;
    lock.unlock();
    if (waiting) not_full_.notify_all();
  }

  const size_t capacity_;
  const WhenFull when_full_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Item> items_;
  bool closed_ = false;
  int64_t dropped_ = 0;
  int consumers_waiting_ = 0;   // threads inside wait_for_items
  int producers_waiting_ = 0;   // threads inside wait_for_room
};

}  // namespace edgeloop
