// The line the CLI prints for each sweep candidate's rung as it ends (arch, rung, validation
// accuracy, seconds, steps, size), on stderr and flushed, also when it is not a terminal: used by
// `edgeloop sweep` and `edgeloop quickstart`.
#pragma once

namespace edgeloop {
struct SweepRow;
}

namespace edgeloop::cli {

void print_sweep_rung(const SweepRow& row);

}  // namespace edgeloop::cli
