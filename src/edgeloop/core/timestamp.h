// The one text form of "now" edgeloop stores (registry rows, model.json, bundle.json):
// ISO 8601 in UTC to the second, e.g. "2026-11-25T13:05:00Z". Thread-safe.
#pragma once

#include <string>

namespace edgeloop {

std::string utc_timestamp();

}  // namespace edgeloop
