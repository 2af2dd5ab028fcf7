// The run drawn over time, for the status page and summary.html: one row per room, each talk's
// window a bar holding the spans its file has media for and its gaps coloured by cause, and a
// line at "now". Pure functions that return SVG (and HTML) text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/status/StatusBoard.h"

namespace date {
class time_zone;
}

namespace confcap::status {

/// A stretch of a talk's window the file has media for, in seconds from the window's start.
struct TimelineSpan {
    double offset = 0;
    double seconds = 0;
};

/// A stretch of a talk's window the file lacks, and why.
struct TimelineGap {
    double offset = 0;  ///< seconds from the window's start
    double seconds = 0;
    std::string cause;   ///< a core::gapcause value, or "waiting" for a talk held back
    std::string detail;  ///< the failure as a sentence, when known
    bool open = false;   ///< still going on at the moment the talk was drawn
};

/// One talk on the timeline.
struct TimelineTalk {
    std::string key;
    std::string room;
    std::string title;                  ///< what the bar reads
    core::Instant from, until;          ///< the recording window, UTC
    std::string state;                  ///< "waiting", "recording", "recorded", "failed", ...
    std::string href;                   ///< where the bar links (as is, escaped on output); or none
    std::vector<TimelineSpan> covered;  ///< in order, inside the window
    std::vector<TimelineGap> gaps;      ///< in order of offset, inside the window
};

/// One room's tape (what `confcap recut` cuts from) on the timeline.
struct TimelineTape {
    std::string room;
    std::vector<std::pair<core::Instant, core::Instant>> spans;  ///< each piece's, UTC, in order
    std::uint64_t bytes = 0;                                     ///< of its media files
    bool writing = false;  ///< its last piece is being written
    std::string error;     ///< why it stopped being written; empty when it did not
};

/// The talk of `job` as it stands at `now`: its gaps (clipped to the window), a gap under way
/// ("not live yet" before the first byte, "outage" while it retries, "disk full" or "waiting"
/// while a begun window waits), and as covered the part of the window up to now (the whole
/// window once final) that is not a gap; nothing covered before its file received any byte.
/// The bar links to the talk's file under /recordings/ (the .part while it records). Pure.
TimelineTalk timelineTalk(const JobSnapshot& job, core::Instant now);

/// `covered`, `gaps` and `state` for a finished talk from its window and gaps (covered is the
/// window less the gaps; nothing when `hasMedia` is false). Pure.
void fillFinished(TimelineTalk& talk, bool hasMedia);

/// What the timeline shows.
struct TimelineView {
    core::Instant start, end;               ///< the time axis, UTC
    std::optional<core::Instant> now;       ///< where the "now" line goes; none draws none
    const date::time_zone* zone = nullptr;  ///< the zone of the axis and hover text; UTC if null
    std::string room;                       ///< only this room's row when not empty
    /// When not empty, each room's name links to this followed by the percent-encoded room
    /// (e.g. "?hours=3&room=").
    std::string roomHref;
};

/// The axis for `talks`: with `hours`, the last `hours` before `now` and a sixth of that after
/// it; else from the earliest window start to the latest window end (the whole run; an hour
/// around `now` when there are no talks). Pure.
TimelineView timelineView(const std::vector<TimelineTalk>& talks, core::Instant now,
                          std::optional<int> hours);

/// The fill colour (#rrggbb) of a gap with `cause`; causes confcap does not name get one colour
/// of their own. Pure.
std::string_view gapColour(std::string_view cause) noexcept;

/// The timeline as one <svg> element: a time axis in the view's zone, one row per room (in the
/// order the rooms first appear in `talks`, then rooms only `tapes` name), each talk overlapping
/// the axis a bar (<g class="talk STATE" data-key>, linking to its href) with its title, covered
/// spans (class "covered") and gaps (class "gap", data-cause, filled by gapColour) that each
/// hover with their cause and length (<title>); under a room's bars a thin line for each piece
/// of its tape (<g class="tape" data-room>, class "tape-span", each with its times), and the
/// "now" line (class "now"). Text is escaped for HTML and XML. Pure.
std::string timelineSvg(const std::vector<TimelineTalk>& talks, const TimelineView& view,
                        const std::vector<TimelineTape>& tapes = {});

/// A legend for timelineSvg as HTML: what each colour and bar style means, the tape's line (and
/// the now line when `withNow`). Pure.
std::string timelineLegend(bool withNow = true);

}  // namespace confcap::status
