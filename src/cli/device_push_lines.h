// The device-push flags and lines shared by `edgeloop bundle push` and `edgeloop promote --device`.
#pragma once

#include <CLI/CLI.hpp>

#include "edgeloop/deploy/device_push.h"

namespace edgeloop::cli {

// --device URL (required when `required`), --token, --verdict-timeout.
void add_device_push_options(CLI::App& command, DevicePushOptions& options, bool required = true);
// What happened on the device: one line, or the outcome's JSON with --json.
void print_device_push(const DevicePushOutcome& outcome, bool json);
// Throws Error naming the reason when the device refused the bundle or rolled it back (exit non-zero).
void require_device_kept(const DevicePushOutcome& outcome);

}  // namespace edgeloop::cli
