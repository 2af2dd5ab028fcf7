#include "confcap/status/SummaryPage.h"

#include <date/tz.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "PageAssets.h"
#include "confcap/core/Format.h"
#include "confcap/status/StatusJson.h"
#include "confcap/status/StatusPage.h"
#include "confcap/status/TextFormat.h"

namespace confcap::status {

namespace {

std::string text(std::string_view value) {
    return escapeHtml(sanitize(value));
}

std::string localTime(core::Instant t, const date::time_zone* zone, const char* format) {
    return zone == nullptr ? date::format(format, t)
                           : date::format(format, date::make_zoned(zone, t));
}

std::string td(std::string_view label, const std::string& html, std::string_view className = {}) {
    return "<td" +
           (className.empty() ? std::string() : " class=\"" + std::string(className) + "\"") +
           " data-label=\"" + std::string(label) + "\">" + html + "</td>";
}

std::string pictureCell(const SummaryRow& row) {
    std::string html;
    if (row.thumbnail.empty()) {
        html = "<div class=\"nothumb\">no picture</div>";
    } else {
        html = "<img class=\"thumb\" src=\"" + escapeHtml(row.thumbnail) +
               "\" alt=\"a frame from the middle of the talk\" loading=\"lazy\">";
    }
    if (!row.strip.empty()) {
        html += "<img class=\"strip\" src=\"" + escapeHtml(row.strip) +
                "\" alt=\"frames over the talk\" loading=\"lazy\">";
    }
    return td("Picture", html);
}

std::string talkCell(const SummaryRow& row, const SummaryPageInfo& info) {
    std::string html = "<strong>" + text(row.talk.title) + "</strong><br>" +
                       text(localTime(row.talkStart, info.zone, "%F %R")) + " &middot; " +
                       text(row.talk.room);
    if (info.folders.size() > 1) {
        html += "<br>in " + text(row.folder);
        if (row.copies > 1 && row.best) {
            html += " (the best of " + std::to_string(row.copies) + " copies)";
        }
    }
    return td("Talk", html, "text");
}

std::string coveredCell(const SummaryRow& row) {
    const double share =
        row.scheduledSeconds > 0 ? std::min(1.0, row.coveredSeconds / row.scheduledSeconds) : 0.0;
    return td("Covered", text(core::formatSeconds(row.coveredSeconds) + " of " +
                              core::formatSeconds(row.scheduledSeconds) + " (" +
                              std::to_string(std::lround(share * 100)) + "%)"));
}

std::string gapsCell(const SummaryRow& row) {
    if (row.talk.gaps.empty()) {
        return td("Gaps", "none");
    }
    std::map<std::string, double> byCause;
    double total = 0;
    for (const auto& gap : row.talk.gaps) {
        byCause[gap.cause] += gap.seconds;
        total += gap.seconds;
    }
    std::string html = std::to_string(row.talk.gaps.size()) +
                       (row.talk.gaps.size() == 1 ? " gap, " : " gaps, ") +
                       text(core::formatSeconds(total));
    for (const auto& [cause, lost] : byCause) {
        html += "<br>" + text(cause) + ": " + text(core::formatSeconds(lost));
    }
    return td("Gaps", html, "text");
}

std::string flagsCell(const SummaryRow& row) {
    if (row.flags.empty()) {
        return td("Health", "");
    }
    std::string html = "<ul class=\"flags\">";
    for (const auto& flag : row.flags) {
        html += "<li>" + text(flag) + "</li>";
    }
    return td("Health", html + "</ul>", "flags");
}

std::string fileCell(const SummaryRow& row) {
    if (row.talk.href.empty()) {
        return td("File", "");
    }
    return td("File", "<a href=\"" + escapeHtml(row.talk.href) + "\">" + text(row.file) + "</a>",
              "file");
}

std::string headline(const std::vector<SummaryRow>& rows, const SummaryPageInfo& info) {
    std::set<std::string> talks;
    std::map<std::string, std::size_t> outcomes;
    for (const auto& row : rows) {
        talks.insert(row.talk.key);
        ++outcomes[row.talk.state];
    }
    std::string line = std::to_string(talks.size()) + (talks.size() == 1 ? " talk" : " talks");
    if (info.folders.size() > 1) {
        line += " in " + std::to_string(info.folders.size()) + " folders";
    }
    const char* separator = ": ";
    for (const auto& [outcome, count] : outcomes) {
        line += separator + std::to_string(count) + " " + outcome;
        separator = ", ";
    }
    return text(line);
}

}  // namespace

std::string relativeUrl(const std::string& path) {
    return percentEncoded(path, true);
}

std::string summaryHtml(const std::vector<SummaryRow>& rows, const SummaryPageInfo& info) {
    std::vector<TimelineTalk> talks;
    for (const auto& row : rows) {
        if (row.best) {
            talks.push_back(row.talk);
        }
    }
    std::stable_sort(talks.begin(), talks.end(),
                     [](const auto& a, const auto& b) { return a.from < b.from; });
    auto view = timelineView(talks, info.written, std::nullopt);
    // Without talks, the axis spans the tapes.
    bool first = true;
    for (const auto& tape : talks.empty() ? info.tapes : std::vector<TimelineTape>()) {
        for (const auto& [from, until] : tape.spans) {
            view.start = first ? from : std::min(view.start, from);
            view.end = first ? until : std::max(view.end, until);
            first = false;
        }
    }
    view.now.reset();
    view.zone = info.zone;
    std::string page;
    page.reserve(16384 + rows.size() * 2000);
    page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    page += "<title>confcap summary</title>\n<style>" + std::string(kPageStyle) +
            "</style>\n</head>\n<body>\n";
    page += "<h1>confcap summary <span id=\"line\">" + headline(rows, info) + "</span></h1>\n";
    std::string folders;
    for (const auto& folder : info.folders) {
        folders += (folders.empty() ? "" : ", ") + text(folder);
    }
    page += "<p>Written " + text(localTime(info.written, info.zone, "%F %T")) +
            " &middot; all times in <strong id=\"zone\">" + text(zoneName(info.zone)) +
            "</strong> &middot; " + (info.folders.size() == 1 ? "folder " : "folders ") + folders +
            "</p>\n";
    page += "<h2>Timeline</h2>\n<div class=\"scroll\" id=\"timeline\">" +
            timelineSvg(talks, view, info.tapes) + "</div>\n" + timelineLegend(false) + "\n";
    page +=
        "<h2>Talks</h2>\n<table><thead><tr><th>Picture</th><th>Talk</th><th>Outcome</th>"
        "<th>Covered</th><th>Gaps</th><th>Health</th><th>File</th></tr></thead>\n"
        "<tbody id=\"talks\">\n";
    for (const auto& row : rows) {
        page += "<tr class=\"" + escapeHtml(row.talk.state) + "\" data-key=\"" +
                text(row.talk.key) + "\">" + pictureCell(row) + talkCell(row, info) +
                td("Outcome",
                   "<span class=\"state\">" + text(row.talk.state) + "</span>" +
                       (row.reason.empty() ? std::string() : "<br>" + text(row.reason)),
                   "text state") +
                coveredCell(row) + gapsCell(row) + flagsCell(row) + fileCell(row) + "</tr>\n";
    }
    if (rows.empty()) {
        page += "<tr><td class=\"empty\" colspan=\"7\">No talks.</td></tr>\n";
    }
    return page + "</tbody></table>\n</body>\n</html>\n";
}

}  // namespace confcap::status
