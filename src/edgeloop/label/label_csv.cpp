#include "edgeloop/label/label_csv.h"

#include <fstream>

#include "edgeloop/core/error.h"
#include "edgeloop/data/csv_line.h"

namespace edgeloop {

std::vector<LabelCsvRow> read_label_csv(const std::filesystem::path& csv) {
  std::ifstream input(csv);
  if (!input) throw not_found("cannot read " + csv.string() + ": give a CSV file of image,label rows");
  std::vector<LabelCsvRow> rows;
  std::string line;
  for (int line_number = 1; std::getline(input, line); ++line_number) {
    line = trim_csv_field(line);
    if (line.empty()) continue;
    std::vector<std::string> fields = csv_fields(line);
    for (auto& field : fields) field = trim_csv_field(field);
    const std::string where = csv.string() + ":" + std::to_string(line_number);
    if (fields.size() != 2) throw invalid_argument(where + ": expected 2 fields (image,label), found " + std::to_string(fields.size()) + ": fix the row");
    if (line_number == 1 && fields[0] == "image" && fields[1] == "label") continue;   // the header
    rows.push_back(LabelCsvRow{where, fields[0], fields[1]});
  }
  return rows;
}

}  // namespace edgeloop
