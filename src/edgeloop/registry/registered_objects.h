// registered_object_hashes: every object hash the registry names (its objects table), for the
// sweep of objects a killed import stored but never registered (data/object_sweep.h).
#pragma once

#include <string>
#include <unordered_set>

#include "edgeloop/registry/registry.h"

namespace edgeloop {

std::unordered_set<std::string> registered_object_hashes(Registry& registry);

}  // namespace edgeloop
