// The timeline drawn: the axis, a row per room with its talks' bars, gaps and tape, the now
// line, and the legend, as SVG and HTML text.
#include "confcap/status/Timeline.h"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "confcap/core/Format.h"
#include "confcap/status/StatusJson.h"
#include "confcap/status/StatusPage.h"
#include "confcap/status/TextFormat.h"

namespace confcap::status {

namespace {

using core::secondsIn;
using std::chrono::seconds;

constexpr double kLabelWidth = 130;  // the room names' column
constexpr double kAxisHeight = 24;
constexpr double kRowHeight = 30;
constexpr double kBarHeight = 22;
constexpr double kPixelsPerHour = 200;
constexpr double kMinPlotWidth = 640;
constexpr double kMaxPlotWidth = 4000;
constexpr double kCharWidth = 6.4;  // an average character at the bars' 11px font

constexpr double kTapeHeight = 3;  // the tape's line under a room's bars
constexpr std::string_view kTapeColour = "#3949ab";

/// Two decimals are more than a pixel's worth.
std::string svgNumber(double value) {
    std::array<char, 32> text{};
    const int n = std::snprintf(text.data(), text.size(), "%.2f", value);
    std::string out(text.data(), static_cast<std::size_t>(std::max(0, n)));
    while (out.back() == '0') {
        out.pop_back();
    }
    if (out.back() == '.') {
        out.pop_back();
    }
    return out;
}

std::string clockText(core::Instant t, const date::time_zone* zone, bool withSeconds) {
    const auto format = withSeconds ? "%T" : "%R";
    if (zone == nullptr) {
        return date::format(format, t);
    }
    return date::format(format, date::make_zoned(zone, t));
}

/// The step between the axis's ticks: the first that leaves at most about one tick per 90px.
seconds tickStep(double spanSeconds, double plotWidth) {
    static constexpr std::array<int, 15> kSteps{10,   15,   30,   60,    120,   300,   600,  900,
                                                1800, 3600, 7200, 10800, 21600, 43200, 86400};
    const double ticks = std::max(2.0, plotWidth / 90);
    for (const int step : kSteps) {
        if (spanSeconds / step <= ticks) {
            return seconds(step);
        }
    }
    return seconds(kSteps.back());
}

struct Style {
    const char* fill;
    const char* stroke;
    const char* strokeWidth;
    const char* dash;  // empty for a solid line
    const char* covered;
};

Style styleOf(std::string_view state) {
    if (state == "recording" || state == "finalizing") {
        return {"#eef4fb", "#1565c0", "2", "", "#64b5f6"};
    }
    if (state == "retrying") {
        return {"#eef4fb", "#ef6c00", "2", "", "#64b5f6"};
    }
    if (state == "recorded") {
        return {"#f1f8f2", "#2e7d32", "1", "", "#81c784"};
    }
    if (state == "failed") {
        return {"#fdecea", "#c62828", "2", "", "#ffab91"};
    }
    if (state == "discarded") {
        return {"#fbf5ec", "#9a5b00", "1", "5 2", "#ffcc80"};
    }
    if (state == "interrupted") {
        return {"#f5eefa", "#6a1b9a", "1.5", "", "#ce93d8"};
    }
    if (state == "skipped" || state == "cancelled") {
        return {"#f5f5f5", "#9e9e9e", "1", "2 2", "#bdbdbd"};
    }
    return {"#ffffff", "#78909c", "1", "4 3", "#b0bec5"};  // waiting
}

struct Plot {
    const TimelineView& view;
    double width;  // of the plot area, without the labels
    double spanSeconds;

    double x(core::Instant t) const {
        const double at = secondsIn(t - view.start) / spanSeconds * width;
        return kLabelWidth + std::clamp(at, 0.0, width);
    }
};

std::string rect(double x, double y, double w, double h, std::string_view attributes) {
    return "<rect x=\"" + svgNumber(x) + "\" y=\"" + svgNumber(y) + "\" width=\"" +
           svgNumber(std::max(w, 0.5)) + "\" height=\"" + svgNumber(h) + "\" " +
           std::string(attributes);
}

std::string gapTitle(const TimelineGap& gap, const TimelineTalk& talk, const TimelineView& view) {
    const auto at =
        talk.from + std::chrono::round<seconds>(std::chrono::duration<double>(gap.offset));
    std::string text = gap.cause + ": " + core::formatSeconds(gap.seconds) +
                       (gap.open ? " so far, since " : " from ") + clockText(at, view.zone, true);
    if (!gap.detail.empty()) {
        text += " (" + gap.detail + ")";
    }
    return escapeHtml(sanitize(text));
}

std::string talkTitle(const TimelineTalk& talk, const TimelineView& view) {
    double covered = 0;
    for (const auto& span : talk.covered) {
        covered += span.seconds;
    }
    std::string text = talk.room + " | " + talk.title + " | " +
                       clockText(talk.from, view.zone, false) + "\u2013" +
                       clockText(talk.until, view.zone, false) + " | " + talk.state;
    if (!talk.covered.empty()) {
        text += " | media for " + core::formatSeconds(covered) + " of " +
                core::formatSeconds(secondsIn(talk.until - talk.from));
    }
    if (!talk.gaps.empty()) {
        text +=
            " | " + std::to_string(talk.gaps.size()) + (talk.gaps.size() == 1 ? " gap" : " gaps");
    }
    return escapeHtml(sanitize(text));
}

std::string talkBar(const TimelineTalk& talk, const Plot& plot, double top) {
    const auto style = styleOf(talk.state);
    const double x0 = plot.x(talk.from);
    const double x1 = plot.x(talk.until);
    const double scale = plot.width / plot.spanSeconds;  // pixels per second
    const double windowX = kLabelWidth + secondsIn(talk.from - plot.view.start) * scale;
    const auto spanX = [&](double offset) { return std::clamp(windowX + offset * scale, x0, x1); };
    std::string out = "<g class=\"talk " + escapeHtml(talk.state) + "\" data-key=\"" +
                      escapeHtml(sanitize(talk.key)) + "\"><title>" + talkTitle(talk, plot.view) +
                      "</title>";
    if (!talk.href.empty()) {
        out += "<a href=\"" + escapeHtml(talk.href) + "\">";
    }
    out += rect(x0, top, x1 - x0, kBarHeight,
                "class=\"window\" rx=\"3\" fill=\"" + std::string(style.fill) + "\" stroke=\"" +
                    style.stroke + "\" stroke-width=\"" + style.strokeWidth + "\"" +
                    (*style.dash != 0 ? " stroke-dasharray=\"" + std::string(style.dash) + "\""
                                      : std::string()) +
                    "/>");
    for (const auto& span : talk.covered) {
        const double a = spanX(span.offset);
        const double b = spanX(span.offset + span.seconds);
        if (b > a) {
            out += rect(a, top + 3, b - a, kBarHeight - 6,
                        "class=\"covered\" fill=\"" + std::string(style.covered) + "\"/>");
        }
    }
    for (const auto& gap : talk.gaps) {
        const double a = spanX(gap.offset);
        const double b = spanX(gap.offset + gap.seconds);
        if (b > a) {
            out +=
                rect(a, top + 3, b - a, kBarHeight - 6,
                     "class=\"gap" + std::string(gap.open ? " open" : "") + "\" data-cause=\"" +
                         escapeHtml(gap.cause) + "\" fill=\"" + std::string(gapColour(gap.cause)) +
                         "\"><title>" + gapTitle(gap, talk, plot.view) + "</title></rect>");
        }
    }
    const auto columns = static_cast<std::size_t>(std::max(0.0, (x1 - x0 - 6) / kCharWidth));
    if (columns >= 2) {
        out += "<text x=\"" + svgNumber(x0 + 3) + "\" y=\"" + svgNumber(top + kBarHeight / 2 + 4) +
               "\">" + escapeHtml(truncateToWidth(sanitize(talk.title), columns)) + "</text>";
    }
    if (!talk.href.empty()) {
        out += "</a>";
    }
    return out + "</g>";
}

std::string axis(const Plot& plot, double height) {
    const auto step = tickStep(plot.spanSeconds, plot.width);
    const bool withSeconds = step < std::chrono::minutes(1);
    // Ticks fall on whole steps of the local clock.
    const auto offset =
        plot.view.zone == nullptr ? seconds(0) : plot.view.zone->get_info(plot.view.start).offset;
    const auto local = plot.view.start.time_since_epoch() + offset;
    auto tick = core::Instant(local / step * step - offset);
    std::string out;
    for (; tick <= plot.view.end; tick += step) {
        if (tick < plot.view.start) {
            continue;
        }
        const double x = plot.x(tick);
        out += "<line class=\"tick\" x1=\"" + svgNumber(x) + "\" x2=\"" + svgNumber(x) +
               "\" y1=\"" + svgNumber(kAxisHeight - 6) + "\" y2=\"" + svgNumber(height) +
               "\" stroke=\"#e0e0e0\"/><text x=\"" + svgNumber(x + 2) +
               "\" y=\"14\" fill=\"#555\">" + clockText(tick, plot.view.zone, withSeconds) +
               "</text>";
    }
    return out;
}

std::string roomLabel(const std::string& room, const TimelineView& view, double top) {
    std::string label = "<text class=\"room\" x=\"4\" y=\"" + svgNumber(top + kBarHeight / 2 + 4) +
                        "\" font-weight=\"600\">" +
                        escapeHtml(truncateToWidth(sanitize(room), 19)) + "<title>" +
                        escapeHtml(sanitize(room)) + "</title></text>";
    if (view.roomHref.empty()) {
        return label;
    }
    return "<a href=\"" + escapeHtml(view.roomHref + percentEncoded(room, false)) + "\">" + label +
           "</a>";
}

// The line of `tape`'s pieces under the bars of a row at `top`: a rect per piece in view.
std::string tapeLine(const TimelineTape& tape, const Plot& plot, double top) {
    std::string summary = "tape of " + tape.room + ": " + std::to_string(tape.spans.size()) +
                          (tape.spans.size() == 1 ? " piece, " : " pieces, ") +
                          core::formatBytes(tape.bytes);
    if (tape.writing) {
        summary += ", being written";
    } else if (!tape.error.empty()) {
        summary += ", stopped: " + tape.error;
    }
    std::string out = "<g class=\"tape\" data-room=\"" + escapeHtml(sanitize(tape.room)) +
                      "\"><title>" + escapeHtml(sanitize(summary)) + "</title>";
    const double y = top + kBarHeight + 2;
    for (std::size_t i = 0; i < tape.spans.size(); ++i) {
        const auto& [from, until] = tape.spans[i];
        if (until < plot.view.start || from > plot.view.end) {
            continue;
        }
        const bool open = tape.writing && i + 1 == tape.spans.size();
        const auto text = "tape " + clockText(from, plot.view.zone, true) + "\u2013" +
                          (open ? std::string("now") : clockText(until, plot.view.zone, true));
        out += rect(plot.x(from), y, plot.x(until) - plot.x(from), kTapeHeight,
                    "class=\"tape-span\" fill=\"" + std::string(kTapeColour) + "\"><title>" +
                        escapeHtml(text) + "</title></rect>");
    }
    return out + "</g>";
}

}  // namespace

std::string timelineSvg(const std::vector<TimelineTalk>& talks, const TimelineView& view,
                        const std::vector<TimelineTape>& tapes) {
    std::vector<std::string> rooms;
    const auto addRoom = [&](const std::string& room) {
        if ((view.room.empty() || room == view.room) &&
            std::find(rooms.begin(), rooms.end(), room) == rooms.end()) {
            rooms.push_back(room);
        }
    };
    for (const auto& talk : talks) {
        addRoom(talk.room);
    }
    for (const auto& tape : tapes) {
        addRoom(tape.room);
    }
    const double span = std::max(1.0, secondsIn(view.end - view.start));
    const double width = std::clamp(span / 3600 * kPixelsPerHour, kMinPlotWidth, kMaxPlotWidth);
    const Plot plot{view, width, span};
    const double height =
        kAxisHeight + kRowHeight * static_cast<double>(std::max<std::size_t>(rooms.size(), 1)) + 4;
    std::string out;
    out.reserve(1024 + talks.size() * 900);
    out += "<svg class=\"timeline\" width=\"" + svgNumber(kLabelWidth + width + 8) +
           "\" height=\"" + svgNumber(height) +
           "\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\"><title>Timeline " +
           clockText(view.start, view.zone, false) + "\u2013" +
           clockText(view.end, view.zone, false) + "</title>";
    out += axis(plot, height);
    for (std::size_t row = 0; row < rooms.size(); ++row) {
        const double top = kAxisHeight + kRowHeight * static_cast<double>(row) + 3;
        out += "<g class=\"room-row\" data-room=\"" + escapeHtml(sanitize(rooms[row])) + "\">" +
               roomLabel(rooms[row], view, top);
        for (const auto& talk : talks) {
            if (talk.room == rooms[row] && talk.until > view.start && talk.from < view.end) {
                out += talkBar(talk, plot, top);
            }
        }
        for (const auto& tape : tapes) {
            if (tape.room == rooms[row]) {
                out += tapeLine(tape, plot, top);
            }
        }
        out += "</g>";
    }
    if (rooms.empty()) {
        out += "<text x=\"" + svgNumber(kLabelWidth) + "\" y=\"" + svgNumber(kAxisHeight + 18) +
               "\" fill=\"#777\">No talks in this view.</text>";
    }
    if (view.now && *view.now >= view.start && *view.now <= view.end) {
        const double x = plot.x(*view.now);
        out += "<line class=\"now\" x1=\"" + svgNumber(x) + "\" x2=\"" + svgNumber(x) + "\" y1=\"" +
               svgNumber(kAxisHeight - 6) + "\" y2=\"" + svgNumber(height) +
               "\" stroke=\"#d32f2f\" stroke-width=\"2\"><title>now, " +
               clockText(*view.now, view.zone, true) + "</title></line>";
    }
    return out + "</svg>";
}

std::string timelineLegend(bool withNow) {
    const auto swatch = [](std::string_view fill, std::string_view stroke, std::string_view dash,
                           std::string_view label) {
        return "<span class=\"key\"><svg width=\"14\" height=\"12\" aria-hidden=\"true\"><rect "
               "x=\"1\" y=\"1\" width=\"12\" height=\"10\" fill=\"" +
               std::string(fill) + "\" stroke=\"" + std::string(stroke) + "\"" +
               (dash.empty() ? std::string() : " stroke-dasharray=\"" + std::string(dash) + "\"") +
               "/></svg> " + std::string(label) + "</span> ";
    };
    std::string out = "<p class=\"legend\">";
    out +=
        swatch(styleOf("recording").covered, styleOf("recording").stroke, "", "media (recording)");
    out += swatch(styleOf("recorded").covered, styleOf("recorded").stroke, "", "media (recorded)");
    out += swatch(styleOf("waiting").fill, styleOf("waiting").stroke, "3 2", "waiting");
    out += swatch(styleOf("failed").fill, styleOf("failed").stroke, "", "failed");
    out += swatch(styleOf("skipped").fill, styleOf("skipped").stroke, "2 2", "skipped, cancelled");
    for (const auto* cause :
         {core::gapcause::kNotLiveYet, core::gapcause::kOutage, core::gapcause::kRestarted,
          core::gapcause::kPaused, core::gapcause::kRolledOut, core::gapcause::kDiskFull,
          core::gapcause::kNotRunning}) {
        out += swatch(gapColour(cause), gapColour(cause), "", std::string("gap: ") + cause);
    }
    out += swatch(kTapeColour, kTapeColour, "", "room tape");
    if (withNow) {
        out += swatch("#d32f2f", "#d32f2f", "", "now");
    }
    return out + "</p>";
}

}  // namespace confcap::status
