// The HTML status page: one self-contained document (inline CSS, SVG and script, no external
// assets) with the run's timeline, what is recording, what comes next and what is finished,
// linking the files. Its script refreshes from /api/status every 2 s; without script, a meta
// refresh does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/status/StatusBoard.h"
#include "confcap/status/StatusJson.h"
#include "confcap/status/Timeline.h"

namespace confcap::status {

/// `text` with &, <, >, " and ' replaced by character references. Pure.
std::string escapeHtml(std::string_view text);

/// What a query asks of the timeline.
struct TimelineZoom {
    std::optional<int> hours;  ///< the last hours only; none for the whole run
    std::string room;          ///< only this room; empty for all
};

/// The zoom a request's query string asks for: "hours=N" (1 to 72) and "room=NAME"
/// (percent-encoded); anything else, or a malformed query, is ignored. Pure.
TimelineZoom timelineZoom(std::string_view query);

/// The timeline (timelineSvg) of `jobs` and `tapes` at `now` in `zoom`, times in `zone` (UTC
/// when null), each room's name linking to its own zoom. Pure.
std::string statusTimeline(const std::vector<JobSnapshot>& jobs, core::Instant now,
                           const TimelineZoom& zoom, const date::time_zone* zone,
                           const std::vector<run::TapeSnapshot>& tapes = {});

/// The tapes as the timeline draws them. Pure.
std::vector<TimelineTape> timelineTapes(const std::vector<run::TapeSnapshot>& tapes);

/// The page for `jobs` and `events` at `now`: the timeline in `zoom` (with links that zoom it
/// to the last hours and to one room, working without script), then what records, waits and
/// finished, and the recent events, every time in the context's zone, named once. `json` is
/// statusJson() for the same data; `nonce` (base64 characters only) authorizes the inline
/// style and script under the server's Content-Security-Policy. When the script has rendered,
/// it sets `data-ok="1"` on <body> (and `data-width` to the document's width in CSS pixels);
/// after each successful refresh it counts up `data-fetched`. A waiting talk whose window has
/// begun shows why it waits ("waiting for disk space") instead of when it starts. Pure.
std::string statusPage(const std::vector<JobSnapshot>& jobs, const std::vector<Event>& events,
                       core::Instant now, std::string_view json, std::string_view nonce,
                       const StatusContext& context, const TimelineZoom& zoom = {});

}  // namespace confcap::status
