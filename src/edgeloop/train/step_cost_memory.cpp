#include "edgeloop/train/step_cost_memory.h"

#include <cmath>
#include <fstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/config.h"
#include "edgeloop/core/threads.h"

namespace edgeloop {

namespace {

constexpr int kFormatVersion = 1;

std::string entry_name(const std::string& machine, const StepCostKey& key) {
  return machine + " | " + key.arch + " | " + key.input + " | batch " + std::to_string(key.batch) + " | threads " +
         std::to_string(key.threads);
}

Json read_memory(const std::filesystem::path& file) {
  try {
    Json memory = Json::parse(read_file(file));
    if (memory.is_object() && memory.value("version", 0) == kFormatVersion && memory.contains("seconds_per_step") &&
        memory["seconds_per_step"].is_object()) {
      return memory;
    }
  } catch (const std::exception&) {
    // Missing, unreadable or not ours: a cache starts again empty.
  }
  return Json{{"version", kFormatVersion}, {"seconds_per_step", Json::object()}};
}

}  // namespace

std::string this_machine() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown cpu";
  while (std::getline(cpuinfo, line)) {
    const size_t colon = line.find(':');
    if (line.rfind("model name", 0) == 0 && colon != std::string::npos) {
      const size_t start = line.find_first_not_of(" \t", colon + 1);
      if (start != std::string::npos) model = line.substr(start);
      break;
    }
  }
  return model + ", " + std::to_string(resolve_thread_count(0)) + " cores";
}

StepCostMemory::StepCostMemory(std::filesystem::path file, std::string machine)
    : file_(std::move(file)), machine_(std::move(machine)) {}

std::vector<double> StepCostMemory::fastest(const std::vector<StepCostKey>& keys, const std::vector<double>& measured) {
  Json memory = read_memory(file_);
  Json& costs = memory["seconds_per_step"];
  std::vector<double> result;
  bool changed = false;
  for (size_t index = 0; index < keys.size(); ++index) {
    const std::string name = entry_name(machine_, keys[index]);
    double cost = index < measured.size() ? measured[index] : 0.0;
    const bool usable = std::isfinite(cost) && cost > 0;
    const Json remembered = costs.value(name, Json());
    if (remembered.is_number() && remembered.get<double>() > 0 && (!usable || remembered.get<double>() <= cost)) {
      cost = remembered.get<double>();
    } else if (usable) {
      costs[name] = cost;
      changed = true;
    }
    result.push_back(cost);
  }
  if (changed) {
    std::filesystem::create_directories(file_.parent_path());
    write_file_atomically(file_, memory.dump(2) + "\n");
  }
  return result;
}

}  // namespace edgeloop
