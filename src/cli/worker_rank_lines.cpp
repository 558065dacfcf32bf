#include "cli/worker_rank_lines.h"

#include <cstdio>
#include <iostream>

#include "edgeloop/core/config.h"

namespace edgeloop::cli {

void print_worker_rank_outcome(const TrainerResult& result, const std::string& verb, const std::string& what, bool json) {
  const auto& epochs = result.epochs;
  if (json) {
    std::cout << Json{{"epochs", epochs.size()}, {"stored_by", 0}}.dump(2) << "\n";
    return;
  }
  constexpr double kPercent = 100.0;
  std::printf("%s %zu epochs (validation accuracy %.2f%%); rank 0 stored the %s\n", verb.c_str(), epochs.size(),
              epochs.empty() ? 0.0 : epochs.back().val_accuracy * kPercent, what.c_str());
}

}  // namespace edgeloop::cli
