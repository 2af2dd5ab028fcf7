#include "confcap/select/Selector.h"

#include <algorithm>
#include <cctype>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"

namespace confcap::select {

namespace {

using core::equalsIgnoreCase;

/// Whether a {n}, {n,} or {n,m} count in `pattern` has more than 9 digits: libstdc++ 12 reads
/// such a count into a long without checking for overflow.
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

std::vector<std::regex> compile(const std::vector<std::string>& patterns, const char* option) {
    std::vector<std::regex> out;
    out.reserve(patterns.size());
    for (const auto& pattern : patterns) {
        if (hasHugeCount(pattern)) {
            throw core::UsageError(std::string(option) + " '" + pattern +
                                   "' is not a valid regular expression (a repeat count has "
                                   "more than 9 digits).");
        }
        try {
            out.emplace_back(pattern,
                             std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
        } catch (const std::regex_error& e) {
            throw core::UsageError(std::string(option) + " '" + pattern +
                                   "' is not a valid regular expression (" + e.what() + ").");
        }
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

/// The part of `text` a regex looks at: at most kMaxMatchedBytes, cut before a UTF-8 character
/// that would not fit. libstdc++'s matcher recurses once or more per character, so a 64 KB
/// title would exhaust the stack.
std::string_view matchedPart(const std::string& text) {
    std::size_t size = std::min(text.size(), kMaxMatchedBytes);
    while (size < text.size() && size > 0 &&
           (static_cast<unsigned char>(text[size]) & 0xC0) == 0x80) {
        --size;
    }
    return std::string_view(text).substr(0, size);
}

bool searches(const std::string& text, const std::regex& re) {
    const std::string_view part = matchedPart(text);
    return std::regex_search(part.begin(), part.end(), re);
}

/// The first regex that finds a hit in the talk's title, subtitle or speakers, or nullptr.
const std::string* firstHit(const schedule::Talk& talk, const std::vector<std::regex>& regexes,
                            const std::vector<std::string>& patterns) {
    for (std::size_t i = 0; i < regexes.size(); ++i) {
        const auto& re = regexes[i];
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

std::string quoted(const std::string& s) {
    return "'" + s + "'";
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
    if (!anyOf(rules_.talks, [&](const std::string& id) {
            return id == talk.guid || id == talk.id || equalsIgnoreCase(id, talk.slug) ||
                   (!talk.code.empty() && equalsIgnoreCase(id, talk.code));
        })) {
        return {false, "not among the --talk ids"};
    }
    if (!anyOf(rules_.rooms, [&](const std::string& room) {
            return equalsIgnoreCase(room, talk.room) ||
                   (!talk.roomGuid.empty() && equalsIgnoreCase(room, talk.roomGuid));
        })) {
        return {false, "room " + quoted(talk.room) + " not selected"};
    }
    if (!anyOf(rules_.tracks,
               [&](const std::string& track) { return equalsIgnoreCase(track, talk.track); })) {
        return {false, "track " + quoted(talk.track) + " not selected"};
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
        return {false, "excluded by --exclude " + quoted(*pattern)};
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

}  // namespace confcap::select
