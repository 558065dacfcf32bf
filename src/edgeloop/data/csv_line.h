// One line of a CSV file: the fields, with "quoted, fields" and "" escapes. Used by the CSV
// manifest import source and by `edgeloop label --from-csv`. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace edgeloop {

std::vector<std::string> csv_fields(const std::string& line);
// Without leading and trailing spaces, tabs and a trailing '\r'.
std::string trim_csv_field(std::string text);

}  // namespace edgeloop
