// What became of each --favourites entry: the talk it names, the job that records it or why
// none does. `plan` prints it; `list`, `plan` and `record` warn of the entries naming no talk.
#pragma once

#include <Poco/JSON/Array.h>

#include <ostream>
#include <string>
#include <vector>

#include "confcap/plan/Plan.h"
#include "confcap/schedule/Schedule.h"
#include "confcap/select/Favourites.h"
#include "confcap/select/Selector.h"

namespace confcap::app {

/// Matches the favourites to `schedule` and adds the talks they name to `rules` (nothing when
/// `favourites` is empty). Throws core::ScheduleError when an entry names several talks.
select::FavouriteMatches applyFavourites(select::SelectionRules& rules,
                                         const std::vector<select::FavouriteList>& favourites,
                                         const schedule::Schedule& schedule);
/// The matches would point into temporaries.
select::FavouriteMatches applyFavourites(select::SelectionRules& rules,
                                         std::vector<select::FavouriteList>&& favourites,
                                         const schedule::Schedule& schedule) = delete;

/// Prints one warning line for each entry that names no talk, with the closest titles.
void warnUnmatchedFavourites(const select::FavouriteMatches& matches, std::ostream& err);

/// One entry's fate.
struct FavouriteOutcome {
    const select::FavouriteMatch* match = nullptr;
    const plan::Job* job = nullptr;  ///< the job recording its talk; null when none does
    std::string why;                 ///< when no job: why not, one phrase
};

/// Each entry with the job of `plan` that records its talk, or why none does (no such talk,
/// the selection's reason, or the plan's). Points into `matches` and `plan`.
std::vector<FavouriteOutcome> favouriteOutcomes(const select::FavouriteMatches& matches,
                                                const plan::Plan& plan,
                                                const select::Selector& selector);

/// Prints the outcomes as a table, times in `zone` (UTC when empty): each list with its format,
/// then per entry what it names, how it matched and the job (window, room, file) or why not.
void printFavourites(const std::vector<FavouriteOutcome>& outcomes, const std::string& zone,
                     std::ostream& out);

/// The outcomes as JSON: [{"source","format","entry","label","talk","matched_by","file","why"}],
/// "talk" the talk's key (guid, else id), "matched_by" and "talk" null when no talk matched,
/// "file" null when no job records it, "why" null when one does.
Poco::JSON::Array::Ptr favouritesJson(const std::vector<FavouriteOutcome>& outcomes);

}  // namespace confcap::app
