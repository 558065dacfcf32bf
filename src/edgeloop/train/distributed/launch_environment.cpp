#include "edgeloop/train/distributed/launch_environment.h"

#include <cstdlib>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr int kLargestPort = 65535;
constexpr const char* kLaunchHint =
    ": launch with torchrun-style variables, e.g. MASTER_ADDR=10.0.0.1 MASTER_PORT=29500 RANK=0 WORLD_SIZE=2 "
    "edgeloop train ... --distributed (docs/distributed.md)";

int read_integer(const VariableLookup& lookup, const std::string& name, std::optional<int> fallback) {
  const std::optional<std::string> text = lookup(name);
  if (!text || text->empty()) {
    if (fallback) return *fallback;
    throw invalid_argument("--distributed: " + name + " is not set" + kLaunchHint);
  }
  char* end = nullptr;
  const long value = std::strtol(text->c_str(), &end, 10);
  if (end == text->c_str() || *end != '\0' || value < 0 || value > kLargestPort) {
    throw invalid_argument("--distributed: " + name + "=" + *text + " is not a whole number" + kLaunchHint);
  }
  return static_cast<int>(value);
}

}  // namespace

std::string LaunchEnvironment::describe() const {
  return "rank " + std::to_string(rank) + " of " + std::to_string(world_size);
}

std::optional<std::string> environment_variable(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

LaunchEnvironment read_launch_environment(const VariableLookup& lookup) {
  LaunchEnvironment environment;
  const std::optional<std::string> address = lookup("MASTER_ADDR");
  if (!address || address->empty()) throw invalid_argument(std::string("--distributed: MASTER_ADDR is not set") + kLaunchHint);
  environment.master_address = *address;
  environment.master_port = read_integer(lookup, "MASTER_PORT", std::nullopt);
  environment.world_size = read_integer(lookup, "WORLD_SIZE", std::nullopt);
  environment.rank = read_integer(lookup, "RANK", std::nullopt);
  environment.local_rank = read_integer(lookup, "LOCAL_RANK", 0);
  environment.local_world_size = read_integer(lookup, "LOCAL_WORLD_SIZE", 0);
  if (environment.master_port == 0) throw invalid_argument(std::string("--distributed: MASTER_PORT must be 1..65535") + kLaunchHint);
  if (environment.world_size < 1) throw invalid_argument(std::string("--distributed: WORLD_SIZE must be >= 1") + kLaunchHint);
  if (environment.rank >= environment.world_size) {
    throw invalid_argument("--distributed: RANK=" + std::to_string(environment.rank) + " but WORLD_SIZE=" +
                           std::to_string(environment.world_size) + ": ranks are 0.." +
                           std::to_string(environment.world_size - 1));
  }
  if (environment.local_world_size > 0 && environment.local_rank >= environment.local_world_size) {
    throw invalid_argument("--distributed: LOCAL_RANK=" + std::to_string(environment.local_rank) + " but LOCAL_WORLD_SIZE=" +
                           std::to_string(environment.local_world_size) + ": local ranks are 0..LOCAL_WORLD_SIZE-1" +
                           kLaunchHint);
  }
  return environment;
}

}  // namespace edgeloop
