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

#include "FavouriteFormats.h"
#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/schedule/JsonFields.h"
#include "confcap/schedule/ScheduleParser.h"
#include "confcap/select/Favourites.h"

namespace confcap::select {

namespace {

using core::trimmed;
using favourites::isUrl;
using favourites::looksLikeUuid;
using favourites::namedBy;
using favourites::refuse;
using favourites::startsWithNoCase;

constexpr std::size_t kMaxInflatedBytes = std::size_t{4} << 20;

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
        list = favourites::readICalendar(text, source);
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
