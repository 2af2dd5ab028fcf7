// Getting the schedule the options name: fetch (file or URL, with the cache), parse, report.
#pragma once

#include <ostream>

#include "confcap/app/CommandLine.h"
#include "confcap/schedule/Schedule.h"

namespace confcap::app {

/// Fetches and parses the schedule `--schedule` names, honouring --timezone, --cache-dir and
/// --ca-file; prints parse warnings and cache notices to `err`, one line each.
/// Throws core::UsageError when --schedule is missing or --timezone is not an IANA zone;
/// core::InputError, core::FetchError or core::ScheduleError as the failure is.
schedule::Schedule loadSchedule(const Arguments& arguments, std::ostream& err);

}  // namespace confcap::app
