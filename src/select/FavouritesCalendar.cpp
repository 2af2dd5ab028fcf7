// Reading favourites from an iCalendar file (RFC 5545): pretalx's, frab's and FOSDEM's exports.
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <vector>

#include "FavouriteFormats.h"
#include "confcap/core/Error.h"
#include "confcap/core/Text.h"

namespace confcap::select::favourites {

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           core::equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

bool isUrl(std::string_view text) {
    return startsWithNoCase(text, "http://") || startsWithNoCase(text, "https://");
}

bool looksLikeUuid(std::string_view text) {
    if (text.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) {
            return false;
        }
    }
    return true;
}

Favourite namedBy(std::string_view value, std::string where) {
    Favourite entry;
    entry.where = std::move(where);
    if (isUrl(value)) {
        entry.url = std::string(value);
    } else {
        entry.guid = std::string(value);
        if (!looksLikeUuid(value)) {
            entry.ids.emplace_back(value);
        }
    }
    return entry;
}

[[noreturn]] void refuse(const std::string& source, const std::string& why) {
    throw core::ScheduleError("The favourites list " + source + " cannot be read: " + why + ".");
}

namespace {

using core::trimmed;

/// The content lines, unfolded (a line starting with a space or tab continues the one before).
std::vector<std::string> unfoldedLines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto end = text.find('\n', pos);
        auto line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
        pos = end == std::string_view::npos ? text.size() : end + 1;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && !lines.empty()) {
            lines.back().append(line.substr(1));
        } else if (!line.empty()) {
            lines.emplace_back(line);
        }
    }
    return lines;
}

struct ContentLine {
    std::string name;  ///< upper case
    std::map<std::string, std::string> params;
    std::string value;
};

/// NAME;PARAM=VALUE;PARAM="VALUE":VALUE; nullopt when malformed.
std::optional<ContentLine> contentLine(std::string_view line) {
    std::size_t i = line.find_first_of(";:");
    if (i == std::string_view::npos) {
        return std::nullopt;
    }
    ContentLine out;
    out.name = core::upperCase(line.substr(0, i));
    while (i < line.size() && line[i] == ';') {
        const auto eq = line.find('=', i + 1);
        if (eq == std::string_view::npos) {
            return std::nullopt;
        }
        const auto name = core::upperCase(line.substr(i + 1, eq - i - 1));
        i = eq + 1;
        std::string value;
        if (i < line.size() && line[i] == '"') {
            const auto close = line.find('"', i + 1);
            if (close == std::string_view::npos) {
                return std::nullopt;
            }
            value = line.substr(i + 1, close - i - 1);
            i = close + 1;
        } else {
            const auto end = std::min(line.find_first_of(";:", i), line.size());
            value = line.substr(i, end - i);
            i = end;
        }
        out.params[name] = value;
    }
    if (i >= line.size() || line[i] != ':') {
        return std::nullopt;
    }
    out.value = line.substr(i + 1);
    return out;
}

/// TEXT values escape backslash, semicolon, comma and newline.
std::string unescapedText(std::string_view value) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) {
            const char next = value[++i];
            out += next == 'n' || next == 'N' ? '\n' : next;
        } else {
            out += value[i];
        }
    }
    return out;
}

/// YYYYMMDDTHHMMSS as a wall-clock time.
std::optional<date::local_seconds> icalLocalTime(std::string_view text) {
    if (text.size() != 15) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == 8 ? text[i] != 'T' : !std::isdigit(static_cast<unsigned char>(text[i]))) {
            return std::nullopt;
        }
    }
    const auto num = [&](std::size_t at, std::size_t len) {
        return *core::parseNumber<int>(text.substr(at, len));
    };
    const date::year_month_day day{date::year(num(0, 4)),
                                   date::month(static_cast<unsigned>(num(4, 2))),
                                   date::day(static_cast<unsigned>(num(6, 2)))};
    const int h = num(9, 2);
    const int m = num(11, 2);
    const int s = num(13, 2);
    if (!day.ok() || h > 23 || m > 59 || s > 60) {
        return std::nullopt;
    }
    return date::local_days(day) + std::chrono::hours(h) + std::chrono::minutes(m) +
           std::chrono::seconds(s);
}

/// Reads DTSTART into `entry`: UTC (a trailing Z), a TZID the zone database knows, or floating.
/// A date without a time names no start. Returns a warning when the zone is unknown.
std::optional<std::string> readStart(const ContentLine& line, Favourite& entry) {
    std::string_view value = trimmed(line.value);
    const bool utc = !value.empty() && (value.back() == 'Z' || value.back() == 'z');
    if (utc) {
        value.remove_suffix(1);
    }
    const auto local = icalLocalTime(value);
    if (!local) {
        return std::nullopt;
    }
    if (utc) {
        entry.start = core::Instant(local->time_since_epoch());
        return std::nullopt;
    }
    const auto tzid = line.params.find("TZID");
    if (tzid == line.params.end()) {
        entry.localStart = local;
        return std::nullopt;
    }
    std::string zone = tzid->second;
    if (!zone.empty() && zone.front() == '/') {
        zone.erase(0, 1);  // some writers prefix the IANA name with a slash
    }
    try {
        entry.start = date::make_zoned(date::locate_zone(zone), *local, date::choose::earliest)
                          .get_sys_time();
        return std::nullopt;
    } catch (const std::runtime_error&) {
        entry.localStart = local;
        return entry.where + " names the time zone '" + tzid->second +
               "', which is not an IANA zone; its start is read in the conference's zone";
    }
}

/// UID: frab writes GUID@host, pretalx pretalx-EVENT-CODE@host (with -N when a talk has several
/// slots), FOSDEM ID@EVENT@host.
void readUid(std::string_view uid, Favourite& entry) {
    const auto head = uid.substr(0, uid.find('@'));
    if (startsWithNoCase(head, "pretalx-")) {
        // The code is the last dash-separated piece that looks like one: upper-case letters and
        // digits, with a letter (the event slug is lower case, the slot suffix a number).
        std::vector<std::string_view> pieces;
        for (std::size_t pos = 8; pos <= head.size();) {
            const auto dash = std::min(head.find('-', pos), head.size());
            pieces.push_back(head.substr(pos, dash - pos));
            pos = dash + 1;
        }
        for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
            const auto piece = *it;
            const bool code = piece.size() >= 4 &&
                              std::all_of(piece.begin(), piece.end(),
                                          [](char c) {
                                              return std::isupper(static_cast<unsigned char>(c)) ||
                                                     std::isdigit(static_cast<unsigned char>(c));
                                          }) &&
                              std::any_of(piece.begin(), piece.end(), [](char c) {
                                  return std::isupper(static_cast<unsigned char>(c));
                              });
            if (code) {
                entry.ids.emplace_back(piece);
                return;
            }
        }
        return;
    }
    if (!head.empty()) {
        entry.guid = std::string(head);
        if (!looksLikeUuid(head)) {
            entry.ids.emplace_back(head);
        }
    }
}

}  // namespace

FavouriteList readICalendar(std::string_view text, const std::string& source) {
    FavouriteList list{source, "iCalendar", {}, {}, {}};
    std::optional<Favourite> event;
    int count = 0;
    int nested = 0;  // components inside the event (a VALARM's SUMMARY is not the talk's)
    for (const auto& raw : unfoldedLines(text)) {
        const auto line = contentLine(raw);
        if (!line) {
            continue;
        }
        const bool begin = line->name == "BEGIN";
        const bool end = line->name == "END";
        const bool vevent = core::equalsIgnoreCase(trimmed(line->value), "VEVENT");
        if (event && (begin || end) && !(end && vevent && nested == 0)) {
            nested += begin ? 1 : -1;
            continue;
        }
        if (event && nested > 0) {
            continue;
        }
        if (begin && vevent) {
            event.emplace();
            event->where = "event " + std::to_string(++count);
        } else if (end && vevent && event) {
            if (event->guid.empty() && event->ids.empty() && event->url.empty() &&
                event->title.empty()) {
                list.warnings.push_back(event->where + " of " + source +
                                        " has no UID, URL or SUMMARY: skipped");
            } else {
                list.entries.push_back(std::move(*event));
            }
            event.reset();
        } else if (event && line->name == "UID") {
            readUid(trimmed(line->value), *event);
        } else if (event && line->name == "URL") {
            event->url = std::string(trimmed(line->value));
        } else if (event && line->name == "SUMMARY") {
            event->title = std::string(trimmed(unescapedText(line->value)));
        } else if (event && line->name == "DTSTART") {
            if (auto warning = readStart(*line, *event)) {
                list.warnings.push_back(*warning + " (" + source + ")");
            }
        }
    }
    return list;
}

}  // namespace confcap::select::favourites
