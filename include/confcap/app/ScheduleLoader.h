// Getting the schedule the options name: fetch (file or URL, with the cache), parse, report.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "confcap/app/CommandLine.h"
#include "confcap/fetch/ScheduleSource.h"
#include "confcap/schedule/Schedule.h"
#include "confcap/select/Favourites.h"

namespace confcap::app {

/// Reads the schedule `--schedule` names, again and again (a record run's refresh): one source,
/// so its connection and its conditional GET carry over from one read to the next.
class ScheduleReader {
public:
    /// Fetches and parses the schedule, honouring --timezone, --cache-dir and --ca-file; prints
    /// parse warnings and cache notices to `err`, one line each. Returns nullopt when the bytes
    /// are those of the read before, unless `always`. Throws core::UsageError when --schedule is
    /// missing or --timezone is not an IANA zone; core::InputError, core::FetchError or
    /// core::ScheduleError as the failure is.
    std::optional<schedule::Schedule> read(const Arguments& arguments, std::ostream& err,
                                           bool always = true);
    /// Why the last read() had only the cached copy (the fetch failed), as its warning; nullopt
    /// when it read the schedule fresh.
    const std::optional<std::string>& fallback() const noexcept { return fallback_; }

private:
    std::unique_ptr<fetch::ScheduleSource> source_;
    std::string key_;  // what the source was made for: schedule, cache folder, CA file
    std::optional<schedule::Schedule> validated_;
    std::string validatedBytes_;
    std::optional<std::string> fallback_;
};

/// Reads the favourites lists `--favourites` names, again and again (a record run's refresh): a
/// file or URL is fetched and cached the way the schedule is, a Giggity link is read as given.
class FavouritesReader {
public:
    /// Reads every list, honouring --cache-dir and --ca-file; prints warnings to `err`, one line
    /// each. Returns whether any list differs from the last read (true on the first). Throws like
    /// ScheduleReader::read; core::ScheduleError when a list is in no format confcap reads.
    bool read(const Arguments& arguments, std::ostream& err);
    /// The lists of the last read(); empty without --favourites.
    const std::vector<select::FavouriteList>& lists() const noexcept { return lists_; }

private:
    std::vector<std::unique_ptr<fetch::ScheduleSource>> sources_;
    std::string key_;  // what the sources were made for
    std::vector<select::FavouriteList> lists_;
};

/// The arguments with --schedule set to the schedule a Giggity link among the --favourites is
/// for, when neither --schedule nor --conference is given.
Arguments withFavouritesSchedule(Arguments arguments);

/// Reads the schedule once (see ScheduleReader::read).
schedule::Schedule loadSchedule(const Arguments& arguments, std::ostream& err);

}  // namespace confcap::app
