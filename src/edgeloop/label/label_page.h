// The labelling page served by LabelServer: one HTML document with its style and script inline,
// compiled into the binary, so labelling needs no network. What the page does (keys, preload,
// the unsaved-label queue kept in localStorage and retried) is described at the top of its script
// in label_page.cpp. Thread-safe (a constant).
#pragma once

#include <string_view>

namespace edgeloop {

std::string_view label_page_html();

}  // namespace edgeloop
