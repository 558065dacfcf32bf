// LabelCsv: the rows of a `label --from-csv` file (`image,label`, an optional `image,label`
// header, blank lines skipped, fields trimmed). Only the file's shape is checked here; whether an
// image is a sample and a label a class is the labelling session's check. Called by
// LabellingSession::apply_csv and the label CSV fuzz target. Pure functions; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace edgeloop {

struct LabelCsvRow {
  std::string where;   // "FILE:LINE", for messages about this row
  std::string image;   // a sample's origin, file name or object hash
  std::string label;   // a class name, or empty to discard the frame
};

// Throws Error(kNotFound) when the file cannot be read, Error(kInvalidArgument) naming FILE:LINE
// for a row that is not two fields.
std::vector<LabelCsvRow> read_label_csv(const std::filesystem::path& csv);

}  // namespace edgeloop
