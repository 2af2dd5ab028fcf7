// Getting the schedule the options name: fetch (file or URL, with the cache), parse, report.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "confcap/app/CommandLine.h"
#include "confcap/fetch/ScheduleSource.h"
#include "confcap/schedule/Schedule.h"

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

/// Reads the schedule once (see ScheduleReader::read).
schedule::Schedule loadSchedule(const Arguments& arguments, std::ostream& err);

}  // namespace confcap::app
