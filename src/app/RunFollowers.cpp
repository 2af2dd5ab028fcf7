#include "RunFollowers.h"

#include <date/tz.h>

#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"

namespace confcap::app {

status::Mark markOf(const std::string& room, core::Instant start, const std::string& title,
                    const date::time_zone* zone) {
    const auto local =
        zone != nullptr ? zone->to_local(start) : date::local_seconds(start.time_since_epoch());
    return {room, date::format("%H:%M", local) + " " + title};
}

std::set<std::string> unmatchedEntries(const select::FavouriteMatches& matches) {
    std::set<std::string> out;
    for (const auto& match : matches.entries) {
        if (match.talk == nullptr) {
            out.insert(match.list->source + "\n" + match.entry->label());
        }
    }
    return out;
}

bool FavouritesInRun::reread(const Arguments& active) {
    std::ostringstream said;
    bool changed = false;
    std::set<std::string> now;
    try {
        changed = reader_.read(active, said);
    } catch (const core::Error& e) {
        now.insert(core::clause(e.what()) +
                   "; the favourites read before stay in force until it can be read");
    }
    std::istringstream lines(said.str());
    const std::string prefix = "confcap: warning: ";
    for (std::string line; std::getline(lines, line);) {
        now.insert(line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : line);
    }
    for (const auto& warning : now) {
        if (warnings_.count(warning) == 0) {
            board_.publish(status::Level::Warning, {}, warning);
        }
    }
    warnings_ = std::move(now);
    return changed;
}

void FavouritesInRun::noteUnmatched(const select::FavouriteMatches& matches) {
    auto now = unmatchedEntries(matches);
    for (const auto& match : matches.entries) {
        if (match.talk == nullptr &&
            unmatched_.count(match.list->source + "\n" + match.entry->label()) == 0) {
            board_.publish(status::Level::Warning, {}, select::unmatchedSentence(match));
        }
    }
    unmatched_ = std::move(now);
}

void followMovedTalks(run::MovedTalks& moved, const std::vector<run::ScheduledTimes>& times,
                      status::StatusBoard& board, std::chrono::system_clock::time_point now,
                      run::Session* session, const date::time_zone* zone) {
    const auto busy = [session](const std::string& key) {
        return session != nullptr && session->busyWith(key);
    };
    try {
        for (const auto& result : moved.follow(times, now, busy)) {
            const auto mark =
                markOf(result.room, std::chrono::floor<std::chrono::seconds>(result.start),
                       result.title, zone);
            if (result.cut) {
                board.publish(status::Level::Info, mark,
                              "moved in the schedule after it was recorded: cut again from the "
                              "room's tape for its new times");
                if (session != nullptr) {
                    session->published(result.key, mark, result.cut->result);
                }
            } else {
                board.publish(status::Level::Warning, mark,
                              "moved in the schedule after it was recorded, but was not cut "
                              "again: " +
                                  result.failure);
            }
        }
    } catch (const core::Error& e) {
        board.publish(status::Level::Warning, {},
                      std::string("Moved talks were not looked for: ") + e.what());
    }
}

}  // namespace confcap::app
