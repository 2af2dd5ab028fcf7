// Reading favourites lists: the formats are described in Favourites.h.
#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/InflatingStream.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/schedule/JsonFields.h"
#include "confcap/schedule/ScheduleParser.h"
#include "confcap/select/Favourites.h"

namespace confcap::select {

namespace {

using core::trimmed;

constexpr std::size_t kMaxInflatedBytes = std::size_t{4} << 20;

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           core::equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

bool isUrl(std::string_view text) {
    return startsWithNoCase(text, "http://") || startsWithNoCase(text, "https://");
}

/// 8-4-4-4-12 hex digits.
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

/// A value that names a talk without saying how (an id list's line, a Giggity item): a guid when
/// it has a guid's shape, else an id, code or slug (and a legacy guid, which need not look like
/// one).
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

// --- iCalendar (RFC 5545) ---

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

// --- Giggity's share link ---

std::string percentDecoded(std::string_view text) {
    std::string out;
    try {
        Poco::URI::decode(std::string(text), out);
    } catch (const Poco::Exception&) {
        out = text;
    }
    return out;
}

/// URL-safe base64 without padding, zlib-compressed: the bytes of a JSON array.
std::string inflatedParam(std::string_view value, const std::string& source) {
    std::string base64(value);
    std::replace(base64.begin(), base64.end(), '-', '+');
    std::replace(base64.begin(), base64.end(), '_', '/');
    while (base64.size() % 4 != 0) {
        base64 += '=';
    }
    try {
        std::istringstream encoded(base64);
        Poco::Base64Decoder decoded(encoded);
        Poco::InflatingInputStream inflated(decoded, Poco::InflatingStreamBuf::STREAM_ZLIB);
        std::string out;
        char buffer[4096];
        while (inflated.read(buffer, sizeof buffer) || inflated.gcount() > 0) {
            out.append(buffer, static_cast<std::size_t>(inflated.gcount()));
            if (out.size() > kMaxInflatedBytes) {
                refuse(source, "its see= list is larger than 4 MiB unpacked");
            }
        }
        return out;
    } catch (const Poco::Exception& e) {
        refuse(source,
               "its see= list is not the compressed list Giggity writes (" + e.displayText() + ")");
    }
}

FavouriteList readGiggity(std::string_view link, const std::string& source) {
    FavouriteList list{source, "Giggity link", {}, {}, {}};
    const auto hash = link.find('#');
    std::string_view fragment = link.substr(hash + 1);
    std::string see;
    while (!fragment.empty()) {
        const auto amp = std::min(fragment.find('&'), fragment.size());
        const auto pair = fragment.substr(0, amp);
        fragment.remove_prefix(std::min(amp + 1, fragment.size()));
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        const auto key = pair.substr(0, eq);
        if (key == "url") {
            list.scheduleUrl = percentDecoded(pair.substr(eq + 1));
        } else if (key == "see") {
            see = percentDecoded(pair.substr(eq + 1));
        }
    }
    if (see.empty()) {
        refuse(source, "the link has no see= list of starred talks");
    }
    const auto json = inflatedParam(see, source);
    Poco::JSON::Array::Ptr items;
    try {
        items = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Array::Ptr>();
    } catch (const Poco::Exception&) {
        refuse(source, "its see= list is not a JSON list of talk ids");
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
        const auto id =
            std::string(trimmed(schedule::stringOf(items->get(static_cast<unsigned>(i)))));
        if (!id.empty()) {
            list.entries.push_back(namedBy(id, "item " + std::to_string(i + 1)));
        }
    }
    return list;
}

// --- EventFahrplan ---

FavouriteList readEventFahrplan(const Poco::JSON::Array& lectures, const std::string& source) {
    FavouriteList list{source, "EventFahrplan JSON", {}, {}, {}};
    for (std::size_t i = 0; i < lectures.size(); ++i) {
        const auto where = "lecture " + std::to_string(i + 1);
        const auto item = lectures.getObject(static_cast<unsigned>(i));
        if (!item) {
            list.warnings.push_back(where + " of " + source + " is not an object: skipped");
            continue;
        }
        Favourite entry;
        entry.where = where;
        if (auto id = schedule::field(*item, "lecture_id"); !id.empty()) {
            entry.guid = id;
            entry.ids.push_back(std::move(id));
        }
        if (auto slug = schedule::field(*item, "slug"); !slug.empty()) {
            entry.ids.push_back(std::move(slug));
        }
        entry.url = schedule::field(*item, "url");
        entry.title = schedule::field(*item, "title");
        entry.start = core::parseIsoInstant(schedule::field(*item, "starts_at"));
        list.entries.push_back(std::move(entry));
    }
    return list;
}

// --- a schedule of the chosen talks ---

FavouriteList readSchedule(std::string_view bytes, const std::string& source) {
    schedule::Schedule chosen;
    try {
        chosen = schedule::parseSchedule(bytes, {source, std::nullopt});
    } catch (const core::ScheduleError& e) {
        refuse(source, "it is no favourites format confcap reads (" + core::clause(e.what()) + ")");
    }
    FavouriteList list{source, chosen.format, {}, chosen.warnings, {}};
    int count = 0;
    for (const auto& talk : chosen.talks) {
        Favourite entry;
        entry.where = "talk " + std::to_string(++count);
        entry.guid = talk.guid;
        for (const auto* id : {&talk.code, &talk.id, &talk.slug}) {
            if (!id->empty()) {
                entry.ids.push_back(*id);
            }
        }
        entry.url = talk.url;
        entry.title = talk.title;
        entry.start = talk.start;
        list.entries.push_back(std::move(entry));
    }
    return list;
}

// --- an id list, or EventFahrplan's text share ---

/// EventFahrplan's text share: sessions separated by "---", each its title, its time and room,
/// and the link to its page (left out for some sessions, which are named in a warning).
FavouriteList readSharedText(const std::vector<std::string_view>& lines,
                             const std::string& source) {
    FavouriteList list{source, "EventFahrplan text", {}, {}, {}};
    int session = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        Favourite entry;
        entry.where = "session " + std::to_string(++session);
        for (; i < lines.size() && lines[i] != "---"; ++i) {
            if (entry.title.empty() && !lines[i].empty()) {
                entry.title = lines[i];
            } else if (isUrl(lines[i])) {
                entry.url = lines[i];
            }
        }
        if (!entry.url.empty()) {
            list.entries.push_back(std::move(entry));
        } else if (!entry.title.empty()) {
            list.warnings.push_back(entry.where + " of " + source + " ('" + entry.title +
                                    "') has no link to the talk: skipped");
        }
    }
    return list;
}

FavouriteList readLines(std::string_view text, const std::string& source) {
    std::vector<std::string_view> lines;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto end = std::min(text.find('\n', pos), text.size());
        lines.push_back(trimmed(text.substr(pos, end - pos)));
        pos = end + 1;
    }
    const bool shared = std::any_of(lines.begin(), lines.end(),
                                    [](std::string_view line) { return line == "---"; });
    if (shared) {
        return readSharedText(lines, source);
    }
    FavouriteList list{source, "id list", {}, {}, {}};
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto line = lines[i];
        const auto where = "line " + std::to_string(i + 1);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (line.find_first_of(" \t") != std::string_view::npos) {
            list.warnings.push_back(where + " of " + source +
                                    " is not a guid, id, code or URL (it has a space): skipped");
            continue;
        }
        list.entries.push_back(namedBy(line, where));
    }
    return list;
}

}  // namespace

std::string Favourite::label() const {
    if (!title.empty()) {
        return title;
    }
    if (!guid.empty()) {
        return guid;
    }
    return ids.empty() ? url : ids.front();
}

bool isInlineFavourites(std::string_view source) {
    const auto hash = source.find('#');
    return isUrl(source) && hash != std::string_view::npos &&
           (source.find("see=", hash) != std::string_view::npos ||
            source.find("ggt.gaa.st") != std::string_view::npos);
}

FavouriteList parseFavourites(std::string_view bytes, const std::string& source) {
    auto text = bytes;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    text = trimmed(text);
    FavouriteList list;
    if (startsWithNoCase(text, "BEGIN:VCALENDAR") || startsWithNoCase(text, "BEGIN:VEVENT")) {
        list = readICalendar(text, source);
    } else if (isInlineFavourites(text) &&
               text.find_first_of(" \t\r\n") == std::string_view::npos) {
        list = readGiggity(text, source);
    } else if (!text.empty() && text.front() == '{' &&
               text.find("\"lectures\"") != std::string_view::npos) {
        Poco::JSON::Object::Ptr root;
        try {
            root = Poco::JSON::Parser().parse(std::string(text)).extract<Poco::JSON::Object::Ptr>();
        } catch (const Poco::Exception& e) {
            refuse(source, "it is not valid JSON (" + e.displayText() + ")");
        }
        const auto lectures = root->getArray("lectures");
        if (!lectures) {
            list = readSchedule(text, source);
        } else {
            list = readEventFahrplan(*lectures, source);
        }
    } else if (!text.empty() &&
               (text.front() == '{' || text.front() == '[' || text.front() == '<')) {
        list = readSchedule(text, source);
    } else {
        list = readLines(text, source);
    }
    if (list.entries.empty()) {
        refuse(source, "it names no talk (read as " + list.format + ")");
    }
    return list;
}

}  // namespace confcap::select
