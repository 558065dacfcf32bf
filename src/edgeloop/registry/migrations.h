// The registry's schema as an ordered list of forward migrations. Migration i (1-based) takes the
// schema from version i-1 to i. Never edit a migration that has shipped; append a new one.
// The schema is written up in docs/formats.md.
#pragma once

#include <string_view>
#include <vector>

namespace edgeloop {

const std::vector<std::string_view>& registry_migrations();

}  // namespace edgeloop
