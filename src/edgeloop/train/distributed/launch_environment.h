// LaunchEnvironment: where this process sits in a data-parallel training job, read from the
// variables torchrun, a Kubeflow PyTorchJob and Azure ML set (MASTER_ADDR, MASTER_PORT, RANK,
// WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE). Read once by the CLI's --distributed and by the deploy docs' checks.
// Plain value; LibTorch-free.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace edgeloop {

struct LaunchEnvironment {
  std::string master_address = "127.0.0.1";   // host of rank 0, which serves the rendezvous store
  int master_port = 29500;                     // the store's TCP port on that host
  int rank = 0;                                // 0 .. world_size-1; rank 0 alone writes the workspace
  int world_size = 1;                          // processes in the job
  int local_rank = 0;                          // index among the processes on this machine
  int local_world_size = 0;                    // processes of the job on this machine; 0: not given

  bool is_writer() const { return rank == 0; }
  // "rank 1 of 4" for messages.
  std::string describe() const;
};

// Returns a variable's value, nullopt when unset (getenv by default; tests pass a map).
using VariableLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> environment_variable(const std::string& name);

// Throws Error(kInvalidArgument) naming the missing or malformed variable and how to launch.
LaunchEnvironment read_launch_environment(const VariableLookup& lookup = environment_variable);

}  // namespace edgeloop
