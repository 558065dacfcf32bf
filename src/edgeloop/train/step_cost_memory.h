// StepCostMemory: the fastest training-step cost measured for each sweep candidate on this
// machine (and the fastest the sweep's preamble before the rungs took), kept in the workspace's
// cache, so that a sweep on a busy machine plans the rungs it would plan idle. A hog on one core made the calibration 1.6-3x slower, the plan shorter, and the sweep
// left out the candidate it picks when idle; the machine is as fast as it has ever been measured,
// the load is the moment's. Registry-free, LibTorch-free; one sweep at a time per workspace.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace edgeloop {

// What a step's cost depends on besides the machine: the candidate, its input and batch, the threads.
struct StepCostKey {
  std::string arch;     // the candidate's spec, e.g. "cnn-m:w=0.5"
  std::string input;    // CxHxW
  int batch = 0;
  int threads = 0;
};

// The machine the costs were measured on: the CPU's model name and the cores the process may use.
std::string this_machine();

class StepCostMemory {
 public:
  // `file`: the memory's JSON file (Workspace::cache_dir() / "step-costs.json"). A missing or
  // unreadable file is an empty memory (it is a cache: a sweep re-measures), never an error.
  explicit StepCostMemory(std::filesystem::path file, std::string machine = this_machine());

  // Per key, the smaller of the measured cost and the one remembered, remembered from now on; the
  // file is rewritten atomically (a killed sweep leaves the old one). Seconds per step; a cost <= 0
  // or not finite is ignored. Throws Error(kIo) when the file cannot be written.
  std::vector<double> fastest(const std::vector<StepCostKey>& keys, const std::vector<double>& measured);

 private:
  std::filesystem::path file_;
  std::string machine_;
};

}  // namespace edgeloop
