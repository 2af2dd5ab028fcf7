// Matching favourites to the talks of a schedule: see matchFavourites() in Favourites.h.
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/select/Favourites.h"
#include "confcap/select/NearNames.h"

namespace confcap::select {

namespace {

using Talks = std::vector<const schedule::Talk*>;
using Index = std::unordered_map<std::string, Talks>;

/// A URL as two spellings of the same page compare: no scheme, host in lower case, no query,
/// fragment or trailing slash.
std::string normalizedUrl(std::string_view url) {
    if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
        url.remove_prefix(scheme + 3);
    }
    url = url.substr(0, url.find_first_of("?#"));
    while (!url.empty() && url.back() == '/') {
        url.remove_suffix(1);
    }
    const auto slash = std::min(url.find('/'), url.size());
    return lowered(url.substr(0, slash)) + std::string(url.substr(slash));
}

/// The host of a URL, in lower case.
std::string hostOf(std::string_view url) {
    const auto path = normalizedUrl(url);
    return path.substr(0, path.find('/'));
}

/// The last path segment of a talk URL, which is its id, code or slug on the common servers
/// (frab .../events/123.html, pretalx .../talk/CODE/, FOSDEM .../event/SLUG/).
std::string lastSegment(std::string_view url) {
    const auto path = normalizedUrl(url);
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) {
        return {};
    }
    auto segment = path.substr(slash + 1);
    if (const auto dot = segment.rfind('.'); dot != std::string::npos) {
        segment.erase(dot);
    }
    return segment;
}

/// Lower case with runs of white space as one space.
std::string normalizedTitle(std::string_view title) {
    std::string out;
    for (const char c : core::trimmed(title)) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!out.empty() && out.back() != ' ') {
                out += ' ';
            }
        } else {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

void add(Index& index, const std::string& key, const schedule::Talk& talk) {
    if (key.empty()) {
        return;
    }
    auto& talks = index[key];
    if (std::find(talks.begin(), talks.end(), &talk) == talks.end()) {
        talks.push_back(&talk);
    }
}

struct Indexes {
    Index guids, ids, urls;
    std::set<std::string> hosts;                                        ///< of the talks' URLs
    std::vector<std::pair<std::string, const schedule::Talk*>> titles;  ///< normalized
    std::vector<std::string> titleNames, idNames;
};

Indexes indexesOf(const schedule::Schedule& schedule) {
    Indexes out;
    for (const auto& talk : schedule.talks) {
        add(out.guids, lowered(talk.guid), talk);
        for (const auto* id : {&talk.id, &talk.code, &talk.slug}) {
            add(out.ids, lowered(*id), talk);
            if (!id->empty() &&
                std::find(out.idNames.begin(), out.idNames.end(), *id) == out.idNames.end()) {
                out.idNames.push_back(*id);
            }
        }
        if (!talk.url.empty()) {
            add(out.urls, normalizedUrl(talk.url), talk);
            out.hosts.insert(hostOf(talk.url));
        }
        out.titles.emplace_back(normalizedTitle(talk.title), &talk);
        out.titleNames.push_back(talk.title);
    }
    return out;
}

Talks lookup(const Index& index, const std::string& key) {
    if (key.empty()) {
        return {};
    }
    const auto found = index.find(key);
    return found == index.end() ? Talks{} : found->second;
}

/// The entry's start as an instant, placing a floating time in the conference's zone (UTC when
/// the schedule names none).
std::optional<core::Instant> startOf(const Favourite& entry, const date::time_zone* zone) {
    if (entry.start) {
        return entry.start;
    }
    if (!entry.localStart) {
        return std::nullopt;
    }
    if (zone == nullptr) {
        return core::Instant(entry.localStart->time_since_epoch());
    }
    return date::make_zoned(zone, *entry.localStart, date::choose::earliest).get_sys_time();
}

/// Talks of this title (or whose title the entry's begins with, followed by " - " and the
/// speakers, as pretalx's calendar writes it) starting at the entry's start; none without one.
Talks byTitle(const Indexes& indexes, const Favourite& entry, std::optional<core::Instant> start) {
    const auto title = normalizedTitle(entry.title);
    Talks out;
    if (title.empty() || !start) {
        return out;
    }
    for (const auto& [talkTitle, talk] : indexes.titles) {
        const bool same =
            talkTitle == title || (title.size() > talkTitle.size() + 3 &&
                                   title.compare(0, talkTitle.size() + 3, talkTitle + " - ") == 0);
        if (same && !talkTitle.empty() && talk->start == *start) {
            out.push_back(talk);
        }
    }
    return out;
}

std::string describe(const schedule::Talk& talk) {
    return singleQuoted(talk.title) + " (" + talk.room + ", " + core::formatUtc(talk.start) + ")";
}

std::string entryName(const FavouriteMatch& match) {
    return match.list->source + " " + match.entry->where + " (" +
           singleQuoted(match.entry->label()) + ")";
}

/// The closest titles to an entry with a title; else the closest ids, with their talks' titles.
std::vector<std::string> closestTo(const Favourite& entry, const Indexes& indexes) {
    if (!entry.title.empty()) {
        return closestNames(entry.title, indexes.titleNames, 3);
    }
    std::vector<std::string> out;
    for (const auto& id : closestNames(entry.label(), indexes.idNames, 3)) {
        const auto talks = lookup(indexes.ids, lowered(id));
        out.push_back(talks.empty() ? id : id + ": " + talks.front()->title);
    }
    return out;
}

}  // namespace

const char* toString(MatchedBy by) {
    switch (by) {
        case MatchedBy::Guid:
            return "guid";
        case MatchedBy::Id:
            return "id";
        case MatchedBy::Url:
            return "URL";
        case MatchedBy::TitleAndStart:
            return "title and start";
    }
    return "?";
}

std::string talkIdentity(const schedule::Talk& talk) {
    return talk.key() + '\n' + talk.room + '\n' +
           std::to_string(talk.start.time_since_epoch().count());
}

std::string unmatchedSentence(const FavouriteMatch& match) {
    auto sentence =
        entryName(match) + " names no talk of the schedule (by guid, id, URL or title and start)";
    if (!match.closestTitles.empty()) {
        sentence += "; the closest " +
                    std::string(match.entry->title.empty() ? "ids: " : "titles: ") +
                    nameList(match.closestTitles, 3);
    }
    return sentence + ".";
}

std::vector<std::string> FavouriteMatches::unmatched() const {
    std::vector<std::string> out;
    for (const auto& match : entries) {
        if (match.talk == nullptr) {
            out.push_back(unmatchedSentence(match));
        }
    }
    return out;
}

FavouriteMatches matchFavourites(const std::vector<FavouriteList>& lists,
                                 const schedule::Schedule& schedule) {
    const date::time_zone* zone = nullptr;
    if (!schedule.conference.timeZone.empty()) {
        try {
            zone = date::locate_zone(schedule.conference.timeZone);
        } catch (const std::runtime_error&) {
            zone = nullptr;
        }
    }
    const auto indexes = indexesOf(schedule);
    FavouriteMatches out;
    for (const auto& list : lists) {
        for (const auto& entry : list.entries) {
            FavouriteMatch match{&list, &entry, nullptr, MatchedBy::Guid, {}};
            // Each way in order; the first naming exactly one talk wins.
            std::vector<std::pair<MatchedBy, Talks>> ways;
            ways.emplace_back(MatchedBy::Guid, lookup(indexes.guids, lowered(entry.guid)));
            for (const auto& id : entry.ids) {
                ways.emplace_back(MatchedBy::Id, lookup(indexes.ids, lowered(id)));
            }
            if (!entry.url.empty()) {
                ways.emplace_back(MatchedBy::Url, lookup(indexes.urls, normalizedUrl(entry.url)));
                // Its last segment as an id only on the schedule's own site: talk 2 of another
                // conference is not this one's talk 2.
                if (indexes.hosts.count(hostOf(entry.url)) > 0) {
                    ways.emplace_back(MatchedBy::Url,
                                      lookup(indexes.ids, lowered(lastSegment(entry.url))));
                }
            }
            ways.emplace_back(MatchedBy::TitleAndStart,
                              byTitle(indexes, entry, startOf(entry, zone)));
            const Talks* several = nullptr;
            for (const auto& [by, talks] : ways) {
                if (talks.size() == 1) {
                    match.talk = talks.front();
                    match.by = by;
                    break;
                }
                if (talks.size() > 1 && several == nullptr) {
                    several = &talks;
                }
            }
            if (match.talk == nullptr && several != nullptr) {
                std::vector<std::string> names;
                for (const auto* talk : *several) {
                    names.push_back(describe(*talk));
                }
                throw core::ScheduleError(entryName(match) + " names " +
                                          std::to_string(several->size()) +
                                          " talks of the schedule: " + nameList(names, 5, false) +
                                          "; name the one you mean by its guid or URL.");
            }
            if (match.talk != nullptr) {
                out.talks.insert(talkIdentity(*match.talk));
            } else {
                match.closestTitles = closestTo(entry, indexes);
            }
            out.entries.push_back(std::move(match));
        }
    }
    return out;
}

}  // namespace confcap::select
