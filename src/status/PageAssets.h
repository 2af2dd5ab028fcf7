// The style and script of the HTML pages confcap writes (the status page and summary.html):
// one look for both, inline, with no external font, script or file.
#pragma once

#include <string_view>

namespace confcap::status {

/// The CSS both pages share: text, tables (cards on a phone), the timeline and its legend.
extern const std::string_view kPageStyle;

/// The status page's script: renders /api/status into the tables and the timeline every 2 s.
/// "$EVENTS_SHOWN" stands for the number of events shown.
extern const std::string_view kStatusScript;

}  // namespace confcap::status
