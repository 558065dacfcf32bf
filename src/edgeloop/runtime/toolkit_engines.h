// The toolkit's engines: every engine by name, the device's (make_engine) and the "reference"
// interpreter the device never links, and the engines as export's parity checks (export comes
// before runtime, so `edgeloop export` and the quickstart hand these to export_model through
// ExportOptions::engine_factory). Stateless functions; each engine is used by one thread at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "edgeloop/export/export_options.h"
#include "edgeloop/runtime/engine.h"

namespace edgeloop {

// "reference" (runtime/reference_engine.h), or any name make_engine takes.
std::unique_ptr<Engine> make_toolkit_engine(const std::string& engine_name, const std::filesystem::path& model_file,
                                            const EngineOptions& options);

// The engine `name` as a parity runner: built on first use with `threads` and `max_batch`, then
// kept for the following batches. Fits ExportOptions::engine_factory.
ParityEngine runtime_parity_engine(const std::string& name, int threads, int max_batch);

}  // namespace edgeloop
