// ProcessGroup: the collectives of one data-parallel training job: a c10d::TCPStore rendezvous
// served by rank 0 at MASTER_ADDR:MASTER_PORT and torch.distributed's Gloo process group
// (c10d::ProcessGroupGloo) over it. Every failure of a peer (a closed connection, a collective
// that times out, the store gone) becomes Error(kIo) naming the rank that stopped: the
// survivors mark themselves on the store, wait a short grace for the others to do the same, and
// the ranks that did not are the ones named. c10d's headers stay in process_group.cpp.
// Used by DataParallel and GradientAllreduce. Collectives must be called in the same order on
// every rank, from one thread at a time.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "edgeloop/train/distributed/launch_environment.h"

namespace edgeloop {

struct ProcessGroupOptions {
  std::chrono::milliseconds rendezvous_timeout = std::chrono::minutes(5);   // every rank joining, and agreeing
  std::chrono::milliseconds collective_timeout = std::chrono::seconds(25);  // a rank silent longer is stopped
  std::chrono::milliseconds failure_grace = std::chrono::seconds(2);        // survivors reporting to each other
  int gloo_threads = 2;                                                     // Gloo's worker threads
};

// A sum started by ProcessGroup::start_sum; wait() returns when the tensor holds the sum over
// ranks, or throws Error(kIo) naming a rank that stopped. Move-only.
class PendingSum {
 public:
  explicit PendingSum(std::function<void()> wait) : wait_(std::move(wait)) {}
  void wait() { wait_(); }

 private:
  std::function<void()> wait_;
};

class ProcessGroup {
 public:
  // Joins the job: rank 0 serves the store, every rank waits for all to join (rendezvous_timeout),
  // then Gloo connects every pair. Throws Error(kIo) when the job does not assemble.
  static std::unique_ptr<ProcessGroup> connect(const LaunchEnvironment& environment, const ProcessGroupOptions& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  const LaunchEnvironment& environment() const { return environment_; }
  int rank() const { return environment_.rank; }
  int world_size() const { return environment_.world_size; }

  // Every rank's `value` under `key`, in rank order, exchanged through the store (waits up to the
  // rendezvous timeout: ranks may reach it after data preparation of different lengths).
  std::vector<std::string> all_gather_text(const std::string& key, const std::string& value);
  // Overwrites `tensors` (contiguous, float or uint8) with rank 0's, in place.
  void broadcast(std::vector<torch::Tensor>& tensors);
  // Rank 0's `text` on every rank.
  std::string broadcast_text(const std::string& text);
  // Starts summing `tensor` (contiguous float) over ranks, in place; Gloo works on its own threads.
  PendingSum start_sum(torch::Tensor tensor);
  // Sums in place and waits.
  void sum(torch::Tensor tensor);
  // Tells the other ranks this one fails with `message` (they name it instead of "stopped"); nothing
  // when this rank's failure is a peer's. Never throws: called on the way out of a failure.
  void report_failure(const std::string& message) noexcept;

 private:
  struct Parts;
  ProcessGroup(const LaunchEnvironment& environment, const ProcessGroupOptions& options);
  [[noreturn]] void throw_peer_failure(const std::string& during, const std::string& cause);

  LaunchEnvironment environment_;
  ProcessGroupOptions options_;
  std::unique_ptr<Parts> parts_;
  bool saw_peer_failure_ = false;
};

}  // namespace edgeloop
