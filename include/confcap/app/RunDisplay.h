// What a person watching `record` or `capture` sees of the run as it goes: the board the run
// reports to, and the log on stderr (and in --log-file) that follows it.
#pragma once

#include <date/tz.h>

#include "confcap/app/CommandLine.h"
#include "confcap/status/Console.h"
#include "confcap/status/LogWriter.h"
#include "confcap/status/StatusBoard.h"

namespace confcap::app {

/// The board and the log of a run, with --quiet, --verbose and --log-file. Throws
/// core::OutputError when the log file cannot be opened.
struct RunDisplay {
    /// Times in `zone` (the machine's zone when null), or in UTC with `utc`.
    RunDisplay(const Arguments& arguments, const date::time_zone* zone, bool utc);

    status::StatusBoard board;
    status::Console console;
    status::LogWriter log;
};

}  // namespace confcap::app
