#include "edgeloop/report/html_report.h"

#include <algorithm>
#include <sstream>

#include "edgeloop/report/svg_chart.h"

namespace edgeloop {

namespace {

constexpr const char* kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 980px; color: #222; }
h1 { margin-bottom: 2px; } .subtitle { color: #666; margin-top: 0; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; } th { background: #f4f4f4; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.callout { border-left: 4px solid #2ca02c; background: #f3faf3; padding: 8px 12px; margin: 12px 0; }
.callout.warning { border-color: #d62728; background: #fdf3f3; }
.chart { display: block; margin: 12px 0; background: #fff; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; } dt { color: #666; }
footer { color: #888; font-size: 12px; margin-top: 40px; }
)css";

// Marks the page rendered once every chart has a laid-out box; reports what failed otherwise.
constexpr const char* kScript = R"js(
(function () {
  var charts = document.querySelectorAll('svg.chart');
  var empty = 0;
  for (var i = 0; i < charts.length; i++) {
    var box = charts[i].getBBox();
    if (!(box.width > 0 && box.height > 0)) empty++;
  }
  document.body.setAttribute('data-charts', String(charts.length));
  document.body.setAttribute('data-rendered', empty === 0 ? 'ok' : 'empty-charts:' + empty);
})();
)js";

}  // namespace

HtmlReport::HtmlReport(std::string title, std::string subtitle) : title_(std::move(title)), subtitle_(std::move(subtitle)) {}

void HtmlReport::add_heading(const std::string& text) { body_.push_back("<h2>" + escape_xml(text) + "</h2>"); }

void HtmlReport::add_paragraph(const std::string& text) { body_.push_back("<p>" + escape_xml(text) + "</p>"); }

void HtmlReport::add_callout(const std::string& title, const std::string& text, bool warning) {
  body_.push_back(std::string("<div class=\"callout") + (warning ? " warning" : "") + "\"><strong>" + escape_xml(title) +
                  "</strong> " + escape_xml(text) + "</div>");
}

void HtmlReport::add_svg(const std::string& svg) { body_.push_back(svg); }

void HtmlReport::add_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                           const std::vector<size_t>& numeric_columns) {
  std::ostringstream html;
  html << "<table><thead><tr>";
  for (const std::string& cell : header) html << "<th>" << escape_xml(cell) << "</th>";
  html << "</tr></thead><tbody>";
  for (const auto& row : rows) {
    html << "<tr>";
    for (size_t column = 0; column < row.size(); ++column) {
      const bool numeric = std::find(numeric_columns.begin(), numeric_columns.end(), column) != numeric_columns.end();
      html << (numeric ? "<td class=\"number\">" : "<td>") << escape_xml(row[column]) << "</td>";
    }
    html << "</tr>";
  }
  html << "</tbody></table>";
  body_.push_back(html.str());
}

void HtmlReport::add_key_values(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::ostringstream html;
  html << "<dl>";
  for (const auto& [key, value] : pairs) html << "<dt>" << escape_xml(key) << "</dt><dd>" << escape_xml(value) << "</dd>";
  html << "</dl>";
  body_.push_back(html.str());
}

std::string HtmlReport::render() const {
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "script-src 'unsafe-inline'; img-src data:\">"
       << "<title>" << escape_xml(title_) << "</title><style>" << kStyle << "</style></head>\n<body>\n"
       << "<h1>" << escape_xml(title_) << "</h1><p class=\"subtitle\">" << escape_xml(subtitle_) << "</p>\n";
  for (const std::string& part : body_) html << part << "\n";
  html << "<footer>edgeloop report: self-contained, no network needed.</footer>\n<script>" << kScript
       << "</script>\n</body></html>\n";
  return html.str();
}

}  // namespace edgeloop
