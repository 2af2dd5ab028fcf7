// Selection: which talks of a schedule the user asked for, and why each one is in or out.
// Rules of one kind are alternatives (any --room may match); different kinds must all hold.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "confcap/schedule/Schedule.h"

namespace re2 {
class RE2;
}

namespace confcap::select {

/// --match and --exclude look at the first this many bytes of a title, subtitle or speaker name.
inline constexpr std::size_t kMaxMatchedBytes = 1024;

struct SelectionRules {
    std::vector<std::string> rooms;   ///< room name or guid, case-insensitive
    std::vector<std::string> tracks;  ///< track name, case-insensitive
    /// Patterns (RE2 syntax, any case) over title, subtitle and speakers: matched in time linear
    /// in the text, so no pattern can hang a run.
    std::vector<std::string> match;
    std::vector<std::string> exclude;  ///< patterns over the same fields; a hit drops the talk
    std::vector<std::string> talks;    ///< guid, id, slug or code
    /// talkIdentity() (Favourites.h) of each talk the --favourites name; unset without
    /// --favourites. A talk passes the talk rule when --talk or a favourite names it.
    std::optional<std::set<std::string>> favourites;
    std::vector<std::string> days;  ///< day index ("2") or the day's date ("2024-12-28")
    /// Skip talks whose speakers opted out of recording, and talks that are not streamed.
    bool respectOptout = false;
};

/// Whether a talk is selected, with one phrase saying why (shown by list, plan and the summary).
struct Decision {
    bool selected = false;
    std::string reason;
};

class Selector {
public:
    /// Compiles the rules once. Throws core::UsageError naming a pattern RE2 does not accept (a
    /// backreference, lookaround, a repetition over 1000, a malformed one) with what to write
    /// instead, or a --day value that is neither a day number nor a YYYY-MM-DD date.
    explicit Selector(SelectionRules rules);

    /// Decides one talk. Pure; safe to call from several threads.
    Decision decide(const schedule::Talk& talk) const;

    /// The talks of `schedule` that are selected, in start order (then room). Pure.
    std::vector<const schedule::Talk*> selectedTalks(const schedule::Schedule& schedule) const;

    /// Why the rules select no talk of `schedule`, in one or more sentences: each --room,
    /// --track, --day or --talk value that names nothing the schedule has, with the names
    /// closest to it ("No track 'Rust'; tracks with that word: 'Rust devroom'."), else that no
    /// talk meets the rules together. Meant for when selectedTalks() is empty. Pure.
    std::string explainNoneSelected(const schedule::Schedule& schedule) const;

private:
    /// Why no talk passes when every room, track, day and talk the rules name exists: the
    /// title pattern, the exclusion, the opt-out, or the rules together.
    std::string whyNoneFits(const schedule::Schedule& schedule) const;

    SelectionRules rules_;
    std::vector<std::shared_ptr<const re2::RE2>> match_;
    std::vector<std::shared_ptr<const re2::RE2>> exclude_;
};

}  // namespace confcap::select
