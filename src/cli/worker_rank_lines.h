// What a worker rank of a distributed job prints, shared by `edgeloop train` and `edgeloop retrain`:
// rank 0 stores the model and reports it; the others say how far they trained.
#pragma once

#include <string>

#include "edgeloop/train/trainer.h"

namespace edgeloop::cli {

// One line ("<verb> N epochs (validation accuracy A%); rank 0 stored the <what>"), or JSON with --json.
void print_worker_rank_outcome(const TrainerResult& result, const std::string& verb, const std::string& what, bool json);

}  // namespace edgeloop::cli
