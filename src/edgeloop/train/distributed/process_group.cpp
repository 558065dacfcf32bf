#include "edgeloop/train/distributed/process_group.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

using Milliseconds = std::chrono::milliseconds;
constexpr Milliseconds kFailurePoll{50};            // how often a survivor looks for the others' reports
constexpr const char* kStorePrefix = "edgeloop/";   // our keys; Gloo's live under "gloo/"
constexpr const char* kGlooPrefix = "gloo";
constexpr const char* kFailedKey = "edgeloop/failed/";    // + rank: this rank saw a peer fail
constexpr const char* kErrorKey = "edgeloop/error/";      // + rank: this rank fails with the value

std::string text_of(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }
std::vector<uint8_t> bytes_of(const std::string& text) { return std::vector<uint8_t>(text.begin(), text.end()); }

std::string what_of(const std::exception& error) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&error)) return torch_error->what_without_backtrace();
  return error.what();
}

// One line: Gloo's messages can carry a file:line prefix and newlines.
std::string one_line(std::string text) {
  for (char& character : text) {
    if (character == '\n' || character == '\r') character = ' ';
  }
  return text;
}

// A peer that stopped answering is an I/O failure of the job (exit status 6, ErrorCode::kIo).
Error peer_unavailable(const std::string& message) { return io_error(message); }

bool is_loopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

// The network interface Gloo binds: GLOO_SOCKET_IFNAME as torch.distributed reads it, loopback
// when the job is on this machine, otherwise the address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const LaunchEnvironment& environment) {
  if (const std::optional<std::string> interface = environment_variable("GLOO_SOCKET_IFNAME")) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(*interface);
  }
  if (is_loopback(environment.master_address)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

struct ProcessGroup::Parts {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

ProcessGroup::ProcessGroup(const LaunchEnvironment& environment, const ProcessGroupOptions& options)
    : environment_(environment), options_(options), parts_(std::make_unique<Parts>()) {}

ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::connect(const LaunchEnvironment& environment,
                                                    const ProcessGroupOptions& options) {
  std::unique_ptr<ProcessGroup> group(new ProcessGroup(environment, options));
  const std::string where = environment.master_address + ":" + std::to_string(environment.master_port);
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(environment.master_port);
    store_options.isServer = environment.is_writer();
    store_options.numWorkers = environment.world_size;
    store_options.waitWorkers = true;
    store_options.timeout = options.rendezvous_timeout;
    group->parts_->store = c10::make_intrusive<c10d::TCPStore>(environment.master_address, store_options);
  } catch (const std::exception& error) {
    throw peer_unavailable(
                environment.describe() + " cannot join the job at " + where + " (" + one_line(what_of(error)) +
                    "): start every rank with the same MASTER_ADDR, MASTER_PORT and WORLD_SIZE, and a free port on rank 0's machine");
  }
  try {
    auto gloo_options = c10d::ProcessGroupGloo::Options::create(options.rendezvous_timeout);
    gloo_options->devices.push_back(gloo_device(environment));
    gloo_options->threads = options.gloo_threads;
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(kGlooPrefix, group->parts_->store);
    group->parts_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, environment.rank,
                                                                       environment.world_size, gloo_options);
  } catch (const std::exception& error) {
    throw peer_unavailable( environment.describe() + " joined the store at " + where +
                                             " but cannot connect to every rank (" + one_line(what_of(error)) +
                                             "): check that the ranks reach each other (GLOO_SOCKET_IFNAME names the interface)");
  }
  return group;
}

std::vector<std::string> ProcessGroup::all_gather_text(const std::string& key, const std::string& value) {
  std::vector<std::string> values;
  try {
    auto& store = *parts_->store;
    store.set(kStorePrefix + key + "/" + std::to_string(rank()), bytes_of(value));
    for (int other = 0; other < world_size(); ++other) {
      values.push_back(text_of(store.get(kStorePrefix + key + "/" + std::to_string(other))));
    }
  } catch (const std::exception& error) {
    throw_peer_failure("the exchange of " + key, what_of(error));
  }
  return values;
}

void ProcessGroup::broadcast(std::vector<torch::Tensor>& tensors) {
  c10d::BroadcastOptions broadcast_options;
  broadcast_options.timeout = options_.collective_timeout;
  try {
    for (auto& tensor : tensors) {
      std::vector<at::Tensor> one{tensor};
      parts_->group->broadcast(one, broadcast_options)->wait();
    }
  } catch (const std::exception& error) {
    throw_peer_failure("a broadcast from rank 0", what_of(error));
  }
}

std::string ProcessGroup::broadcast_text(const std::string& text) {
  std::vector<torch::Tensor> length{torch::tensor({static_cast<int64_t>(text.size())}, torch::kInt64)};
  broadcast(length);
  const int64_t size = length[0].item<int64_t>();
  if (size == 0) return {};
  torch::Tensor bytes = torch::empty({size}, torch::kUInt8);
  if (environment_.is_writer()) std::memcpy(bytes.data_ptr<uint8_t>(), text.data(), text.size());
  std::vector<torch::Tensor> payload{bytes};
  broadcast(payload);
  return std::string(reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>()), static_cast<size_t>(size));
}

PendingSum ProcessGroup::start_sum(torch::Tensor tensor) {
  c10d::AllreduceOptions allreduce_options;
  allreduce_options.timeout = options_.collective_timeout;
  c10::intrusive_ptr<c10d::Work> work;
  try {
    std::vector<at::Tensor> one{std::move(tensor)};
    work = parts_->group->allreduce(one, allreduce_options);
  } catch (const std::exception& error) {
    throw_peer_failure("the gradient allreduce", what_of(error));
  }
  return PendingSum([this, work] {
    try {
      work->wait();
    } catch (const std::exception& error) {
      throw_peer_failure("the gradient allreduce", what_of(error));
    }
  });
}

void ProcessGroup::sum(torch::Tensor tensor) { start_sum(std::move(tensor)).wait(); }

void ProcessGroup::report_failure(const std::string& message) noexcept {
  if (saw_peer_failure_) return;   // the others know: they saw the same peer go
  try {
    parts_->store->set(kErrorKey + std::to_string(rank()), bytes_of(one_line(message)));
  } catch (...) {
    // the store is gone with rank 0: the others find this rank silent instead
  }
}

void ProcessGroup::throw_peer_failure(const std::string& during, const std::string& cause) {
  saw_peer_failure_ = true;
  const std::string context = " during " + during + " (" + one_line(cause) + ")";
  auto& store = *parts_->store;
  try {
    store.set(kFailedKey + std::to_string(rank()), bytes_of("1"));
  } catch (const std::exception&) {
    throw peer_unavailable(
                "rank 0 of " + std::to_string(world_size()) +
                    " stopped (it exited, was killed or is unreachable; it serves the rendezvous store)" + context);
  }
  // Survivors all see the failure within moments (a dead rank's sockets close, which ends every
  // collective that waits on it); a rank that has not reported within the grace has stopped.
  std::vector<int> silent;
  std::vector<std::pair<int, std::string>> failed_with;
  const auto deadline = std::chrono::steady_clock::now() + options_.failure_grace;
  while (true) {
    silent.clear();
    failed_with.clear();
    try {
      for (int other = 0; other < world_size(); ++other) {
        if (other == rank()) continue;
        const std::string error_key = kErrorKey + std::to_string(other);
        if (store.check({error_key})) failed_with.emplace_back(other, text_of(store.get(error_key)));
        else if (!store.check({kFailedKey + std::to_string(other)})) silent.push_back(other);
      }
    } catch (const std::exception&) {
      if (rank() != 0) silent.assign(1, 0);   // the store went away with rank 0
      break;
    }
    if (silent.empty() || !failed_with.empty() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(kFailurePoll);
  }
  // Rank 0 serves the store: it stays a little so the other survivors can read each other's reports.
  if (rank() == 0) std::this_thread::sleep_for(kFailurePoll * 4);
  if (!failed_with.empty()) {
    throw peer_unavailable(failed_with.front().second);
  }
  if (!silent.empty()) {
    std::string ranks;
    for (int other : silent) ranks += (ranks.empty() ? "" : ", ") + std::to_string(other);
    throw peer_unavailable( std::string(silent.size() == 1 ? "rank " : "ranks ") + ranks + " of " +
                                             std::to_string(world_size()) +
                                             " stopped (exited, killed or unreachable)" + context);
  }
  throw peer_unavailable( environment_.describe() + " lost its peers" + context);
}

}  // namespace edgeloop
