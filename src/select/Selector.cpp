#include "confcap/select/Selector.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/select/Favourites.h"
#include "confcap/select/NearNames.h"

namespace confcap::select {

namespace {

using core::equalsIgnoreCase;

/// Whether a {n}, {n,} or {n,m} count in `pattern` has more than 9 digits: RE2 reads such a
/// count as literal text, which is never what was meant.
bool hasHugeCount(const std::string& pattern) {
    bool inCount = false;
    std::size_t digits = 0;
    for (const char c : pattern) {
        if (c == '{') {
            inCount = true;
            digits = 0;
        } else if (inCount && std::isdigit(static_cast<unsigned char>(c))) {
            if (++digits > 9) {
                return true;
            }
        } else if (inCount && c == ',') {
            digits = 0;
        } else {
            inCount = false;
        }
    }
    return false;
}

/// What to write instead of a construct RE2 refuses, for the error sentence.
std::string advice(const re2::RE2& re) {
    switch (re.error_code()) {
        case re2::RE2::ErrorBadEscape:
            return re.error_arg().size() == 2 &&
                           std::isdigit(static_cast<unsigned char>(re.error_arg()[1]))
                       ? "patterns have no backreferences: repeat the group's text instead"
                       : "write a backslash as \\\\ and escape only punctuation";
        case re2::RE2::ErrorRepeatSize:
            return "a repetition may count up to 1000: use + or * for more";
        case re2::RE2::ErrorBadPerlOp:
        case re2::RE2::ErrorMissingParen:
            return re.error_arg().rfind("(?", 0) == 0
                       ? "patterns have no lookahead or lookbehind: match the text itself"
                       : "close every ( with a )";
        case re2::RE2::ErrorPatternTooLarge:
            return "the pattern is too large: shorten it";
        default:
            return "see the RE2 syntax in the README";
    }
}

std::vector<std::shared_ptr<const re2::RE2>> compile(const std::vector<std::string>& patterns,
                                                     const char* option) {
    re2::RE2::Options options;
    options.set_case_sensitive(false);
    options.set_log_errors(false);
    std::vector<std::shared_ptr<const re2::RE2>> out;
    out.reserve(patterns.size());
    for (const auto& pattern : patterns) {
        if (hasHugeCount(pattern)) {
            throw core::UsageError(std::string(option) + " '" + pattern +
                                   "' is not a pattern confcap accepts (a repetition may count "
                                   "up to 1000: use + or * for more).");
        }
        auto re = std::make_shared<const re2::RE2>(pattern, options);
        if (!re->ok()) {
            throw core::UsageError(std::string(option) + " '" + pattern +
                                   "' is not a pattern confcap accepts (" + re->error() + "; " +
                                   advice(*re) + ").");
        }
        out.push_back(std::move(re));
    }
    return out;
}

bool isDayValue(const std::string& day) {
    const bool number =
        !day.empty() && day.size() <= 3 && std::all_of(day.begin(), day.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        });
    const bool dateLike = day.size() == 10 && day[4] == '-' && day[7] == '-' &&
                          std::all_of(day.begin(), day.end(), [](char c) {
                              return c == '-' || std::isdigit(static_cast<unsigned char>(c));
                          });
    return number || dateLike;
}

/// The part of `text` a pattern looks at: at most kMaxMatchedBytes, cut before a UTF-8 character
/// that would not fit.
std::string_view matchedPart(const std::string& text) {
    std::size_t size = std::min(text.size(), kMaxMatchedBytes);
    while (size < text.size() && size > 0 &&
           (static_cast<unsigned char>(text[size]) & 0xC0) == 0x80) {
        --size;
    }
    return std::string_view(text).substr(0, size);
}

bool searches(const std::string& text, const re2::RE2& re) {
    return re2::RE2::PartialMatch(matchedPart(text), re);
}

/// The first regex that finds a hit in the talk's title, subtitle or speakers, or nullptr.
const std::string* firstHit(const schedule::Talk& talk,
                            const std::vector<std::shared_ptr<const re2::RE2>>& regexes,
                            const std::vector<std::string>& patterns) {
    for (std::size_t i = 0; i < regexes.size(); ++i) {
        const auto& re = *regexes[i];
        bool hit = searches(talk.title, re) || searches(talk.subtitle, re);
        for (const auto& person : talk.persons) {
            hit = hit || searches(person.name, re);
        }
        if (hit) {
            return &patterns[i];
        }
    }
    return nullptr;
}

/// One sentence when `value` is none of `known` (case-insensitively): "No track 'Rust'; tracks
/// with that word: 'Rust devroom'." Names that contain the value come first; else those a few
/// typos away; else the schedule's names.
std::optional<std::string> notFound(const std::string& value, const std::vector<std::string>& known,
                                    const char* what, const char* whats) {
    if (std::any_of(known.begin(), known.end(),
                    [&](const std::string& k) { return equalsIgnoreCase(k, value); })) {
        return std::nullopt;
    }
    const std::string needle = lowered(value);
    std::vector<std::string> containing;
    std::vector<std::string> near;
    for (const auto& name : known) {
        const std::string hay = lowered(name);
        if (!needle.empty() && (hay.find(needle) != std::string::npos ||
                                (!hay.empty() && needle.find(hay) != std::string::npos))) {
            containing.push_back(name);
        } else if (editDistance(value, name) <= std::max<std::size_t>(1, value.size() / 4)) {
            near.push_back(name);
        }
    }
    std::string sentence = std::string("No ") + what + " " + singleQuoted(value);
    if (!containing.empty()) {
        sentence += "; " + std::string(whats) + " with that word: " + nameList(containing, 8);
    } else if (!near.empty()) {
        sentence += "; did you mean " + nameList(near, 5) + "?";
        return sentence;
    } else if (known.empty()) {
        sentence += "; the schedule names no " + std::string(whats);
    } else {
        sentence += "; the schedule's " + std::string(whats) + ": " + nameList(known, 12);
    }
    return sentence + ".";
}

void addUnique(std::vector<std::string>& names, const std::string& name) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(name);
    }
}

}  // namespace

Selector::Selector(SelectionRules rules)
    : rules_(std::move(rules)),
      match_(compile(rules_.match, "--match")),
      exclude_(compile(rules_.exclude, "--exclude")) {
    for (const auto& day : rules_.days) {
        if (!isDayValue(day)) {
            throw core::UsageError(
                "--day '" + day + "' is neither a day number (1, 2, ...) nor a date (YYYY-MM-DD).");
        }
    }
}

Decision Selector::decide(const schedule::Talk& talk) const {
    const auto anyOf = [](const std::vector<std::string>& wanted, auto&& matches) {
        return wanted.empty() || std::any_of(wanted.begin(), wanted.end(), matches);
    };
    if (!rules_.talks.empty() || rules_.favourites) {
        const bool named =
            std::any_of(rules_.talks.begin(), rules_.talks.end(), [&](const std::string& id) {
                return id == talk.guid || id == talk.id || equalsIgnoreCase(id, talk.slug) ||
                       (!talk.code.empty() && equalsIgnoreCase(id, talk.code));
            });
        if (!named && !(rules_.favourites && rules_.favourites->count(talkIdentity(talk)) > 0)) {
            return {false, !rules_.favourites     ? "not among the --talk ids"
                           : rules_.talks.empty() ? "not a favourite"
                                                  : "neither a favourite nor among the --talk ids"};
        }
    }
    if (!anyOf(rules_.rooms, [&](const std::string& room) {
            return equalsIgnoreCase(room, talk.room) ||
                   (!talk.roomGuid.empty() && equalsIgnoreCase(room, talk.roomGuid));
        })) {
        return {false, "room " + singleQuoted(talk.room) + " not selected"};
    }
    if (!anyOf(rules_.tracks,
               [&](const std::string& track) { return equalsIgnoreCase(track, talk.track); })) {
        return {false, "track " + singleQuoted(talk.track) + " not selected"};
    }
    if (!anyOf(rules_.days, [&](const std::string& day) {
            return day == talk.dayDate || day == std::to_string(talk.day);
        })) {
        return {false, "day " + std::to_string(talk.day) + " not selected"};
    }
    if (!match_.empty() && firstHit(talk, match_, rules_.match) == nullptr) {
        return {false, "no --match pattern matches"};
    }
    if (const auto* pattern = firstHit(talk, exclude_, rules_.exclude)) {
        return {false, "excluded by --exclude " + singleQuoted(*pattern)};
    }
    if (rules_.respectOptout && talk.doNotRecord) {
        return {false, "speakers opted out of recording (--include-optout records it anyway)"};
    }
    if (rules_.respectOptout && talk.doNotStream) {
        return {false, "the talk is not streamed"};
    }
    return {true, "selected"};
}

std::vector<const schedule::Talk*> Selector::selectedTalks(
    const schedule::Schedule& schedule) const {
    std::vector<const schedule::Talk*> out;
    for (const auto& talk : schedule.talks) {
        if (decide(talk).selected) {
            out.push_back(&talk);
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const schedule::Talk* a, const schedule::Talk* b) {
        return a->start != b->start ? a->start < b->start : a->room < b->room;
    });
    return out;
}

namespace {

/// What the schedule holds that the selection rules name: rooms (and their guids), tracks, days
/// (numbers and dates) and talk ids (guid, id, slug, code).
struct KnownValues {
    std::vector<std::string> rooms, roomGuids, tracks, days, ids;
    int lastDay = 0;
};

KnownValues knownValues(const schedule::Schedule& schedule) {
    KnownValues known;
    for (const auto& room : schedule.rooms) {
        addUnique(known.rooms, room.name);
        addUnique(known.roomGuids, room.guid);
    }
    for (const auto& talk : schedule.talks) {
        addUnique(known.rooms, talk.room);
        addUnique(known.roomGuids, talk.roomGuid);
        addUnique(known.tracks, talk.track);
        addUnique(known.days, talk.dayDate);
        addUnique(known.days, std::to_string(talk.day));
        known.lastDay = std::max(known.lastDay, talk.day);
        for (const auto* id : {&talk.guid, &talk.id, &talk.slug, &talk.code}) {
            addUnique(known.ids, *id);
        }
    }
    std::sort(known.tracks.begin(), known.tracks.end());
    return known;
}

/// One sentence for each room, track, day or talk the rules name that the schedule lacks.
std::vector<std::string> unknownValues(const SelectionRules& rules, const KnownValues& known) {
    std::vector<std::string> sentences;
    const auto check = [&](const std::vector<std::string>& values,
                           const std::vector<std::string>& names, const char* what,
                           const char* whats) {
        for (const auto& value : values) {
            if (auto sentence = notFound(value, names, what, whats)) {
                sentences.push_back(std::move(*sentence));
            }
        }
    };
    std::vector<std::string> roomNames = known.rooms;
    roomNames.insert(roomNames.end(), known.roomGuids.begin(), known.roomGuids.end());
    for (const auto& room : rules.rooms) {
        if (!std::any_of(roomNames.begin(), roomNames.end(),
                         [&](const std::string& k) { return equalsIgnoreCase(k, room); })) {
            check({room}, known.rooms, "room", "rooms");
        }
    }
    check(rules.tracks, known.tracks, "track", "tracks");
    std::vector<std::string> dates;
    for (const auto& day : known.days) {
        if (day.size() == 10) {
            dates.push_back(day);
        }
    }
    std::sort(dates.begin(), dates.end());
    for (const auto& day : rules.days) {
        if (std::find(known.days.begin(), known.days.end(), day) == known.days.end()) {
            sentences.push_back("No day " + singleQuoted(day) + "; the schedule's days are 1 to " +
                                std::to_string(known.lastDay) +
                                (dates.empty()
                                     ? std::string()
                                     : " (" + dates.front() + " to " + dates.back() + ")") +
                                ".");
        }
    }
    for (const auto& id : rules.talks) {
        if (!std::any_of(known.ids.begin(), known.ids.end(),
                         [&](const std::string& k) { return equalsIgnoreCase(k, id); })) {
            sentences.push_back("No talk has the id, guid, slug or code " + singleQuoted(id) + ".");
        }
    }
    return sentences;
}

}  // namespace

std::string Selector::explainNoneSelected(const schedule::Schedule& schedule) const {
    if (schedule.talks.empty()) {
        return "The schedule lists no talks.";
    }
    auto sentences = unknownValues(rules_, knownValues(schedule));
    if (sentences.empty()) {
        sentences.push_back(whyNoneFits(schedule));
    }
    std::string out;
    for (const auto& sentence : sentences) {
        out += (out.empty() ? "" : " ") + sentence;
    }
    return out;
}

std::string Selector::whyNoneFits(const schedule::Schedule& schedule) const {
    if (rules_.favourites && rules_.favourites->empty() && rules_.talks.empty()) {
        return "No entry of the --favourites names a talk of this schedule.";
    }
    if (!match_.empty() &&
        std::none_of(schedule.talks.begin(), schedule.talks.end(), [&](const schedule::Talk& t) {
            return firstHit(t, match_, rules_.match) != nullptr;
        })) {
        return std::string("No talk's title, subtitle or speakers match ") +
               (rules_.match.size() == 1 ? "--match " : "any --match: ") +
               nameList(rules_.match, 5) + ".";
    }
    if (!exclude_.empty() &&
        std::all_of(schedule.talks.begin(), schedule.talks.end(), [&](const schedule::Talk& t) {
            return firstHit(t, exclude_, rules_.exclude) != nullptr;
        })) {
        return "--exclude " + nameList(rules_.exclude, 5) + " excludes every talk.";
    }
    if (rules_.respectOptout) {
        SelectionRules everyTalk = rules_;
        everyTalk.respectOptout = false;
        const auto selected = Selector(std::move(everyTalk)).selectedTalks(schedule).size();
        if (selected > 0) {
            return "The " + std::to_string(selected) + (selected == 1 ? " talk" : " talks") +
                   " selected opted out of recording or are not streamed; --include-optout "
                   "records them anyway.";
        }
    }
    return "No talk of the " + std::to_string(schedule.talks.size()) +
           " in the schedule meets all the selection rules together.";
}

}  // namespace confcap::select
