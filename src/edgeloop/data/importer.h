// The importer: turns an import source (import_source.h) into a new dataset version. Every item is
// read, checked (header pixel limit before decoding, truncation, decodability), encoded when it
// arrives as pixels, stored once in the object store, and the version is recorded in one registry
// transaction. A crash leaves the registry as it was (objects written so far are unreferenced
// and harmless). Called by `edgeloop data import`. Uses `options.threads` worker threads.
#pragma once

#include <filesystem>

#include "edgeloop/core/progress.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/data/import_options.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {

// Throws Error(kInvalidArgument) when nothing could be imported (after recording the rejects) or
// when `options.strict` and anything was rejected (then nothing is stored); Error(kCorrupt) for a
// truncated or mismatched IDX pair.
ImportResult import_dataset(const Workspace& workspace, Registry& registry, const std::filesystem::path& source,
                            const ImportOptions& options, const ProgressCallback& progress = {});

}  // namespace edgeloop
