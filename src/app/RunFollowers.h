// What a running `record` follows besides the schedule itself, with every refresh: the
// favourites lists, read again, and the recorded talks the schedule moved, cut again from the
// room's tape. Each says what it finds in the run's log, once.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "confcap/app/CommandLine.h"
#include "confcap/app/ScheduleLoader.h"
#include "confcap/core/Time.h"
#include "confcap/run/Recut.h"
#include "confcap/run/Session.h"
#include "confcap/select/Favourites.h"
#include "confcap/status/StatusBoard.h"

namespace date {
class time_zone;
}

namespace confcap::app {

/// "10:30 Opening" in the conference's zone (UTC when null), marked with its room.
status::Mark markOf(const std::string& room, core::Instant start, const std::string& title,
                    const date::time_zone* zone);

/// Each entry naming no talk, as its list and what it names (not where in the list: a line added
/// above it does not make it new).
std::set<std::string> unmatchedEntries(const select::FavouriteMatches& matches);

/// The favourites during a run: read again with every schedule refresh. A list that cannot be
/// read leaves the last good lists in force, and says so once; what reading says (a list served
/// from the cache, an entry skipped) and each entry that comes to name no talk are logged once.
class FavouritesInRun {
public:
    FavouritesInRun(FavouritesReader& reader, status::StatusBoard& board,
                    std::set<std::string> unmatched)
        : reader_(reader), board_(board), unmatched_(std::move(unmatched)) {}

    /// Reads the lists again; whether they changed.
    bool reread(const Arguments& active);
    /// Logs each entry of `matches` naming no talk that did not at the last look.
    void noteUnmatched(const select::FavouriteMatches& matches);

private:
    FavouritesReader& reader_;
    status::StatusBoard& board_;
    std::set<std::string> unmatched_;
    std::set<std::string> warnings_;
};

/// Cuts again the recorded talks the schedule moved (`times`) once their new window is over by
/// `now`, and hands each new cut to the session's hook and content check; a talk whose old cut
/// still has its hook or check running is left for the next refresh. The log says what was cut,
/// or why not. `session` may be null (nothing handed on, nothing waited for).
void followMovedTalks(run::MovedTalks& moved, const std::vector<run::ScheduledTimes>& times,
                      status::StatusBoard& board, std::chrono::system_clock::time_point now,
                      run::Session* session, const date::time_zone* zone);

}  // namespace confcap::app
