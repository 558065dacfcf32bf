// HtmlReport: one self-contained HTML page (inline CSS, inline SVG, one small inline script, no
// external URL) built section by section. The script only checks that every chart laid out and
// then sets <body data-rendered="ok">, which the tests read from headless Chromium's DOM.
// Called by report_pages.h. Not thread-safe (build a page on one thread).
#pragma once

#include <string>
#include <vector>

#include "edgeloop/core/number_format.h"

namespace edgeloop {

class HtmlReport {
 public:
  HtmlReport(std::string title, std::string subtitle);

  void add_heading(const std::string& text);
  void add_paragraph(const std::string& text);            // escaped
  void add_callout(const std::string& title, const std::string& text, bool warning);
  void add_svg(const std::string& svg);                   // a chart from svg_chart.h, inserted as is
  // A table; cells are escaped. `numeric_columns` are right-aligned.
  void add_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                 const std::vector<size_t>& numeric_columns = {});
  void add_key_values(const std::vector<std::pair<std::string, std::string>>& pairs);

  std::string render() const;

 private:
  std::string title_;
  std::string subtitle_;
  std::vector<std::string> body_;
};


}  // namespace edgeloop
