// Reads figures back out of a rendered report page (tables, key-value lists, the sweep scatter's
// marker sizes), so that tests compare what a reader sees with the data the page was made from.
#pragma once

#include <map>
#include <regex>
#include <string>
#include <vector>

namespace edgeloop::testing {

inline std::string unescape_html(std::string text) {
  const std::vector<std::pair<std::string, std::string>> entities = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, character] : entities) {
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at + character.size())) {
      text.replace(at, entity.size(), character);
    }
  }
  return text;
}

// The body rows of the `index`-th <table> (0-based), cell texts unescaped.
inline std::vector<std::vector<std::string>> html_table_rows(const std::string& html, size_t index) {
  size_t start = 0;
  for (size_t table = 0; table <= index; ++table) {
    start = html.find("<tbody>", start);
    if (start == std::string::npos) return {};
    start += 7;
  }
  const std::string body = html.substr(start, html.find("</tbody>", start) - start);
  std::vector<std::vector<std::string>> rows;
  const std::regex row_pattern("<tr>(.*?)</tr>"), cell_pattern("<td[^>]*>(.*?)</td>");
  for (std::sregex_iterator row(body.begin(), body.end(), row_pattern), end; row != end; ++row) {
    const std::string cells = (*row)[1];
    rows.emplace_back();
    for (std::sregex_iterator cell(cells.begin(), cells.end(), cell_pattern); cell != end; ++cell) {
      rows.back().push_back(unescape_html((*cell)[1]));
    }
  }
  return rows;
}

// Every <dt>key</dt><dd>value</dd> pair on the page.
inline std::map<std::string, std::string> html_key_values(const std::string& html) {
  std::map<std::string, std::string> pairs;
  const std::regex pattern("<dt>(.*?)</dt><dd>(.*?)</dd>");
  for (std::sregex_iterator match(html.begin(), html.end(), pattern), end; match != end; ++match) {
    pairs[unescape_html((*match)[1])] = unescape_html((*match)[2]);
  }
  return pairs;
}

// Radius of each scatter marker, keyed by its tooltip text's first word (the point's name).
inline std::map<std::string, double> scatter_marker_radii(const std::string& html) {
  std::map<std::string, double> radii;
  const std::regex pattern("<g><title>([^ <]+)[^<]*</title><circle [^>]* r=\"([0-9.e+-]+)\"");
  for (std::sregex_iterator match(html.begin(), html.end(), pattern), end; match != end; ++match) {
    radii[unescape_html((*match)[1])] = std::stod((*match)[2]);
  }
  return radii;
}

}  // namespace edgeloop::testing
