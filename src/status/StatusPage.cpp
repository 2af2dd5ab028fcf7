#include "confcap/status/StatusPage.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <date/tz.h>

#include <cmath>
#include <cstdlib>

#include "PageAssets.h"
#include "confcap/core/Format.h"
#include "confcap/status/StatusJson.h"
#include "confcap/status/TerminalTable.h"
#include "confcap/status/TextFormat.h"
#include "confcap/status/Timeline.h"

namespace confcap::status {

namespace {

using std::chrono::seconds;

constexpr std::size_t kEventsShown = 50;
constexpr int kMaxZoomHours = 72;

using Headers = std::vector<std::string_view>;

const Headers kActiveHeads{"Room",  "Talk", "State",    "Window",     "Elapsed", "Left",
                           "Bytes", "Rate", "Coverage", "Reconnects", "Gaps",    "File"};
const Headers kUpcomingHeads{"Room", "Talk", "Window", "Starts in"};
const Headers kFinishedHeads{"Room", "Talk",       "Outcome", "Coverage", "Bytes",
                             "Gaps", "Reconnects", "Reason",  "File"};
const Headers kEventHeads{"Time", "Where", "Message"};

/// A table cell: its HTML (already escaped) and a class ("text" and "file" may wrap).
struct Cell {
    std::string html;
    std::string_view className;
};

Cell cell(std::string_view text, std::string_view className = {}) {
    return {escapeHtml(sanitize(text)), className};
}

std::string tableRow(std::string_view rowClass, const std::vector<Cell>& cells,
                     const Headers& headers) {
    std::string out = "<tr class=\"" + std::string(rowClass) + "\">";
    for (std::size_t i = 0; i < cells.size(); ++i) {
        out += "<td";
        if (!cells[i].className.empty()) {
            out += " class=\"" + std::string(cells[i].className) + "\"";
        }
        out += " data-label=\"" + std::string(headers[i]) + "\">" + cells[i].html + "</td>";
    }
    return out + "</tr>\n";
}

std::string emptyRow(std::size_t columns, std::string_view text) {
    return "<tr><td class=\"empty\" colspan=\"" + std::to_string(columns) + "\">" +
           escapeHtml(text) + "</td></tr>\n";
}

std::string clock(core::Instant t, const date::time_zone* zone) {
    return zone == nullptr ? date::format("%R", t) : date::format("%R", date::make_zoned(zone, t));
}

std::string window(const JobSnapshot& job, const date::time_zone* zone) {
    return clock(job.from, zone) + "\u2013" + clock(job.until, zone);
}

std::string span(core::Instant::duration d) {
    return core::formatSpan(std::chrono::duration_cast<seconds>(d));
}

std::string gaps(const JobSnapshot& job) {
    if (job.gaps == 0) {
        return "0";
    }
    return std::to_string(job.gaps) + " (" +
           core::formatSpan(seconds(std::lround(job.gapSeconds))) + ")";
}

// The talk's name and, where its content health has any, its flags: the one place they show.
std::string talkNameWithFlags(const JobSnapshot& job) {
    std::string name = job.mark.talk.empty() ? job.title : job.mark.talk;
    const auto flags = healthFlags(job);
    for (std::size_t i = 0; i < flags.size(); ++i) {
        name += (i == 0 ? " \u2014 " : "; ") + flags[i];
    }
    return name;
}

Cell fileLink(const JobSnapshot& job, std::string_view text) {
    if (job.file.empty()) {
        return {{}, "file"};
    }
    return {"<a href=\"" + escapeHtml(recordingUrl(job.file)) + "\">" +
                escapeHtml(sanitize(text.empty() ? std::string_view(job.file) : text)) + "</a>",
            "file"};
}

std::string activeRows(const std::vector<JobSnapshot>& jobs, core::Instant now,
                       const date::time_zone* zone) {
    std::string out;
    for (const auto& job : jobs) {
        if (!isActive(job.state)) {
            continue;
        }
        out += tableRow(
            stateName(job.state),
            {cell(job.room), cell(talkNameWithFlags(job), "text"),
             cell(stateName(job.state), "state"), cell(window(job, zone)),
             cell(span(now - job.from)), cell(span(job.until - now)),
             cell(core::formatBytes(job.bytes)),
             cell(job.state == JobState::Recording ? core::formatRate(job.bitsPerSecond) : "-"),
             cell(percentText(coverage(job, now))), cell(std::to_string(job.reconnects)),
             cell(gaps(job)), fileLink(job, "watch")},
            kActiveHeads);
    }
    return out.empty() ? emptyRow(kActiveHeads.size(), "Nothing is recording.") : out;
}

std::string upcomingRows(const std::vector<JobSnapshot>& jobs, core::Instant now,
                         const date::time_zone* zone) {
    std::string out;
    for (const auto& job : jobs) {
        if (job.state != JobState::Waiting) {
            continue;
        }
        out += tableRow(
            stateName(job.state),
            {cell(job.room), cell(talkNameWithFlags(job), "text"), cell(window(job, zone)),
             cell(job.from <= now && !job.reason.empty() ? job.reason : span(job.from - now),
                  "text")},
            kUpcomingHeads);
    }
    return out.empty() ? emptyRow(kUpcomingHeads.size(), "No talks are waiting.") : out;
}

std::string finishedRows(const std::vector<JobSnapshot>& jobs, core::Instant now) {
    std::string out;
    for (const auto& job : jobs) {
        if (!isFinal(job.state)) {
            continue;
        }
        out += tableRow(
            stateName(job.state),
            {cell(job.room), cell(talkNameWithFlags(job), "text"),
             cell(stateName(job.state), "state"), cell(percentText(coverage(job, now))),
             cell(core::formatBytes(job.bytes)), cell(gaps(job)),
             cell(std::to_string(job.reconnects)), cell(job.reason, "text"), fileLink(job, {})},
            kFinishedHeads);
    }
    return out.empty() ? emptyRow(kFinishedHeads.size(), "No talk has finished yet.") : out;
}

std::string eventRows(const std::vector<Event>& events, const date::time_zone* zone) {
    std::string out;
    const auto shown = std::min(events.size(), kEventsShown);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& event = events[events.size() - 1 - i];
        const auto where = event.mark.room.empty() || event.mark.talk.empty()
                               ? event.mark.room + event.mark.talk
                               : event.mark.room + " | " + event.mark.talk;
        out += tableRow(toString(event.level),
                        {cell(clock(std::chrono::floor<seconds>(event.time), zone)),
                         cell(where, "text"), cell(event.message, "text")},
                        kEventHeads);
    }
    return out.empty() ? emptyRow(kEventHeads.size(), "No events yet.") : out;
}

std::string table(std::string_view id, const Headers& headers, const std::string& rows) {
    std::string out = "<table><thead><tr>";
    for (const auto title : headers) {
        out += "<th>" + std::string(title) + "</th>";
    }
    return out + "</tr></thead>\n<tbody id=\"" + std::string(id) + "\">\n" + rows +
           "</tbody></table>\n";
}

/// The links that zoom the timeline, the one in force in bold.
std::string zoomLinks(const TimelineZoom& zoom) {
    const auto roomPart =
        zoom.room.empty() ? std::string() : "room=" + percentEncoded(zoom.room, false);
    const auto link = [&](std::optional<int> hours, std::string_view label) {
        if (hours == zoom.hours) {
            return "<strong>" + std::string(label) + "</strong>";
        }
        std::string query = hours ? "hours=" + std::to_string(*hours) : std::string();
        if (!roomPart.empty()) {
            query += (query.empty() ? "" : "&") + roomPart;
        }
        return "<a href=\"?" + escapeHtml(query) + "\">" + std::string(label) + "</a>";
    };
    std::string out = "<nav class=\"zoom\">" + link(std::nullopt, "Whole run") + " " +
                      link(12, "Last 12 hours") + " " + link(3, "Last 3 hours") + " " +
                      link(1, "Last hour") + " ";
    if (!zoom.room.empty()) {
        const auto all = zoom.hours ? "hours=" + std::to_string(*zoom.hours) : std::string();
        out +=
            "<a href=\"?" + all + "\">All rooms</a> (" + escapeHtml(sanitize(zoom.room)) + " only)";
    }
    return out + "</nav>\n";
}

/// JSON inside <script>: "<" only occurs inside strings there, where \u003c means the same and
/// cannot close the element.
std::string scriptSafe(std::string_view json) {
    std::string out;
    out.reserve(json.size());
    for (const char c : json) {
        if (c == '<') {
            out += "\\u003c";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

}  // namespace

std::string escapeHtml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

TimelineZoom timelineZoom(std::string_view query) {
    TimelineZoom zoom;
    try {
        const Poco::URI uri("/?" + std::string(query));
        for (const auto& [name, value] : uri.getQueryParameters()) {
            if (name == "room") {
                zoom.room = value;
            } else if (name == "hours") {
                const int hours = std::atoi(value.c_str());
                if (hours >= 1 && hours <= kMaxZoomHours) {
                    zoom.hours = hours;
                }
            }
        }
    } catch (const Poco::Exception&) {
        // A malformed query shows the whole run.
    }
    return zoom;
}

std::vector<TimelineTape> timelineTapes(const std::vector<run::TapeSnapshot>& tapes) {
    std::vector<TimelineTape> out;
    for (const auto& tape : tapes) {
        TimelineTape drawn{tape.room, {}, tape.bytes, tape.writing, tape.error};
        for (const auto& [from, until] : tape.spans) {
            drawn.spans.emplace_back(std::chrono::floor<std::chrono::seconds>(from),
                                     std::chrono::ceil<std::chrono::seconds>(until));
        }
        out.push_back(std::move(drawn));
    }
    return out;
}

std::string statusTimeline(const std::vector<JobSnapshot>& jobs, core::Instant now,
                           const TimelineZoom& zoom, const date::time_zone* zone,
                           const std::vector<run::TapeSnapshot>& tapes) {
    std::vector<TimelineTalk> talks;
    talks.reserve(jobs.size());
    for (const auto& job : jobs) {
        talks.push_back(timelineTalk(job, now));
    }
    auto view = timelineView(talks, now, zoom.hours);
    view.zone = zone;
    view.room = zoom.room;
    view.roomHref = zoom.hours ? "?hours=" + std::to_string(*zoom.hours) + "&room=" : "?room=";
    return timelineSvg(talks, view, timelineTapes(tapes));
}

std::string statusPage(const std::vector<JobSnapshot>& jobs, const std::vector<Event>& events,
                       core::Instant now, std::string_view json, std::string_view nonce,
                       const StatusContext& context, const TimelineZoom& zoom) {
    const auto* zone = context.zone;
    const auto nonceAttribute = " nonce=\"" + escapeHtml(nonce) + "\"";
    std::string page;
    page.reserve(32768 + jobs.size() * 1500);
    page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    page += "<title>confcap status</title>\n<link rel=\"icon\" href=\"data:,\">\n";
    page += "<noscript><meta http-equiv=\"refresh\" content=\"10\"></noscript>\n";
    page +=
        "<style" + nonceAttribute + ">" + std::string(kPageStyle) + "</style>\n</head>\n<body>\n";
    page += "<h1>confcap <span id=\"line\">" + escapeHtml(TerminalTable::summaryLine(jobs)) +
            "</span></h1>\n";
    page += "<p>Updated <span id=\"updated\">" +
            escapeHtml(zone == nullptr ? date::format("%T", now)
                                       : date::format("%T", date::make_zoned(zone, now))) +
            "</span> &middot; all times in <strong id=\"zone\">" + escapeHtml(zoneName(zone)) +
            "</strong> &middot; <a href=\"summary.html\">summary</a> (<a "
            "href=\"summary.json\">JSON</a>, at the end of the run) &middot; "
            "<a href=\"api/status\">status as JSON</a> &middot; "
            "<a href=\"metrics\">metrics (Prometheus)</a></p>\n";
    page += "<p id=\"disk\">" +
            (context.disk ? escapeHtml(diskLine(*context.disk, now)) : std::string()) + "</p>\n";
    page +=
        "<p id=\"stale\">The status could not be refreshed; this is the last known state.</p>\n";
    page += "<h2>Timeline</h2>\n" + zoomLinks(zoom) + "<div class=\"scroll\" id=\"timeline\">" +
            statusTimeline(jobs, now, zoom, zone, context.tapes) + "</div>\n" + timelineLegend() +
            "\n";
    page += "<h2>Recording</h2>\n" + table("active", kActiveHeads, activeRows(jobs, now, zone));
    page +=
        "<h2>Upcoming</h2>\n" + table("upcoming", kUpcomingHeads, upcomingRows(jobs, now, zone));
    page += "<h2>Finished</h2>\n" + table("finished", kFinishedHeads, finishedRows(jobs, now));
    page += "<h2>Recent events</h2>\n" + table("events", kEventHeads, eventRows(events, zone));
    page += "<script type=\"application/json\" id=\"initial\">" + scriptSafe(json) + "</script>\n";
    page += "<script" + nonceAttribute + ">" +
            replaceAll(std::string(kStatusScript), "$EVENTS_SHOWN", std::to_string(kEventsShown)) +
            "</script>\n</body>\n</html>\n";
    return page;
}

}  // namespace confcap::status
