// Favourites (--favourites SRC): the talks a person starred in a schedule app, read from what the
// apps export, and matched to the talks of the schedule being recorded.
//
// Formats, recognized by content:
//   iCalendar         pretalx "My schedule", frab's and FOSDEM's calendar exports: each VEVENT's
//                     UID (frab: GUID@host, pretalx: pretalx-EVENT-CODE@host, FOSDEM: ID@...),
//                     URL, DTSTART and SUMMARY
//   EventFahrplan     the app's JSON favourites export: {"lectures": [{"lecture_id", "title",
//                     "url", "starts_at", ...}]}
//   Giggity link      https://ggt.gaa.st/#url=SCHEDULE&see=...: the ids of the starred talks,
//                     zlib-compressed JSON in URL-safe base64
//   a schedule        a frab/pretalx/Pentabarf XML or JSON schedule holding only the chosen talks
//   an id list        plain text, one guid, id, pretalx code, slug or talk URL per line; blank
//                     lines and lines starting with # are ignored. EventFahrplan's text share
//                     (talks separated by "---") is read by its URLs.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "confcap/core/Time.h"
#include "confcap/schedule/Schedule.h"

namespace confcap::select {

/// One talk a favourites list names. Any field may be empty.
struct Favourite {
    std::string guid;
    /// Event ids, pretalx codes or slugs naming the talk, the most specific first.
    std::vector<std::string> ids;
    std::string url;
    std::string title;
    /// The talk's start, when the list gives it with its zone.
    std::optional<core::Instant> start;
    /// The talk's start as a wall-clock time of the conference's zone (iCalendar's floating time).
    std::optional<date::local_seconds> localStart;
    /// Where in the list the entry is, for messages: "line 4", "event 2".
    std::string where;

    /// How a person recognizes the entry: its title, else the first thing it names.
    std::string label() const;
};

/// One list as read: its entries in order, and what of it could not be read.
struct FavouriteList {
    /// The file, URL or link as given.
    std::string source;
    /// "iCalendar", "EventFahrplan JSON", "EventFahrplan text", "Giggity link", "id list", or the
    /// schedule dialect ("frab XML", ...).
    std::string format;
    std::vector<Favourite> entries;
    /// One sentence for each entry that was skipped while reading.
    std::vector<std::string> warnings;
    /// The schedule a Giggity link is for (its url=); empty for the other formats.
    std::string scheduleUrl;
};

/// Whether `source` carries its favourites itself instead of naming a file or URL to read: a
/// Giggity share link (its list is in the fragment, which is never sent to a server).
bool isInlineFavourites(std::string_view source);

/// Reads a favourites list of any of the formats above. `source` names it in messages.
/// Throws core::ScheduleError naming `source` when the bytes are none of the formats, are
/// malformed as a whole, or name no talk at all.
FavouriteList parseFavourites(std::string_view bytes, const std::string& source);

/// How an entry found its talk, in the order they are tried.
enum class MatchedBy { Guid, Id, Url, TitleAndStart };

/// "guid", "id", "URL", "title and start".
const char* toString(MatchedBy by);

/// What became of one entry.
struct FavouriteMatch {
    const FavouriteList* list = nullptr;
    const Favourite* entry = nullptr;
    /// The talk, or null when no talk of the schedule is the one the entry names.
    const schedule::Talk* talk = nullptr;
    MatchedBy by = MatchedBy::Guid;
    /// When no talk matched: the titles of the schedule closest to the entry's.
    std::vector<std::string> closestTitles;
};

/// What became of the entries of one or more lists; points into the lists and the schedule
/// matchFavourites() was given.
struct FavouriteMatches {
    /// Every entry of every list, in order.
    std::vector<FavouriteMatch> entries;
    /// talkIdentity() of each talk some entry names: the set the selection takes.
    std::set<std::string> talks;

    /// One sentence for each entry that names no talk, with the closest titles.
    std::vector<std::string> unmatched() const;
};

/// One sentence for an entry that names no talk: the list, where in it, what it names, and the
/// closest titles (or ids). Pure.
std::string unmatchedSentence(const FavouriteMatch& match);

/// A talk's identity within one schedule: its key with its room and start, so that talks sharing
/// an id (merged schedules) stay apart. Pure.
std::string talkIdentity(const schedule::Talk& talk);

/// Finds each entry's talk: by guid, then by id or pretalx code (or slug), then by URL (the
/// whole URL, then, on the site of the schedule's talk URLs, its last path segment as an id),
/// then by title and start, both required (a title with the
/// speakers appended, as pretalx's calendar writes it, counts). The first of these that names
/// exactly one talk wins. Throws core::ScheduleError naming the entry and the talks when an entry
/// names several talks and no later way names one. Pure; the result points into `lists` and
/// `schedule`.
FavouriteMatches matchFavourites(const std::vector<FavouriteList>& lists,
                                 const schedule::Schedule& schedule);
/// The result would point into temporaries.
FavouriteMatches matchFavourites(std::vector<FavouriteList>&& lists,
                                 const schedule::Schedule& schedule) = delete;
FavouriteMatches matchFavourites(const std::vector<FavouriteList>& lists,
                                 schedule::Schedule&& schedule) = delete;

}  // namespace confcap::select
