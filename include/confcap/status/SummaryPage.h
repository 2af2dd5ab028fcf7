// summary.html: what a run (or the runs of several folders) got, at one look: the timeline of
// every talk, then one row per talk with its picture, outcome, coverage, gaps, health flags and
// a link to its file. One self-contained page: inline style and SVG, relative links, no script.
#pragma once

#include <string>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/status/Timeline.h"

namespace date {
class time_zone;
}

namespace confcap::status {

/// One talk's row (one copy of it, when several folders hold it).
struct SummaryRow {
    /// Its window, covered spans and gaps, its outcome as `state` ("recorded", "failed", ...)
    /// and as `href` the link to its file, relative to the page (empty when none was kept).
    TimelineTalk talk;
    core::Instant talkStart;  ///< as scheduled, UTC
    std::string folder;       ///< the folder it was read from
    std::string reason;       ///< why it ended so
    std::string file;         ///< the file as the link shows it (its path in its folder)
    double coveredSeconds = 0;
    double scheduledSeconds = 0;
    std::string thumbnail;  ///< a frame from its middle, relative to the page; empty when none
    std::string strip;      ///< a strip of frames over the talk, relative to the page, or empty
    std::vector<std::string> flags;  ///< health flags ("silent 38 min from 10:42")
    int copies = 1;                  ///< how many folders hold the talk
    bool best = true;                ///< the copy covering most among them
};

/// What the page says about itself.
struct SummaryPageInfo {
    std::vector<std::string> folders;       ///< the folders read, as given
    const date::time_zone* zone = nullptr;  ///< the zone of every time shown; UTC when null
    core::Instant written;                  ///< when the page was made (UTC)
    std::vector<TimelineTape> tapes;        ///< the rooms' tapes, for the timeline
};

/// The page: a headline with the counts by outcome, the folders and the zone (named once),
/// the timeline of the best copy of each talk and of the rooms' tapes (timelineSvg, without a
/// now line; its axis spans the talks, or the tapes when there are no talks), then one table row
/// per copy (<tr class="OUTCOME" data-key>) with the thumbnail (<img class="thumb">) and strip, or
/// a grey placeholder without one; the talk's local start, room and title; outcome and reason;
/// covered and scheduled time; its gaps inside the window by cause; the health flags (<ul
/// class="flags">); and the link to the file. Text is escaped; links are used as given
/// (percent-encoded). Pure.
std::string summaryHtml(const std::vector<SummaryRow>& rows, const SummaryPageInfo& info);

/// `path` as a relative URL: each segment percent-encoded, '/' kept. Pure.
std::string relativeUrl(const std::string& path);

}  // namespace confcap::status
