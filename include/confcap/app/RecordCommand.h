// `confcap record`: the unattended run. Plans from the schedule, records every selected talk on
// the wall clock, follows schedule changes, survives restarts, and ends with a summary.
#pragma once

#include <ostream>

#include "confcap/app/CommandLine.h"

namespace confcap::app {

/// Runs `confcap record` until SIGINT/SIGTERM, or with --exit-when-done until every window has
/// passed and its file is final. Returns the exit code: 0 when every selected talk with a
/// stream produced its file, 1 otherwise; the codes of ExitCode.h for errors found before
/// recording starts. The summary goes to `out`, the log to stderr.
int runRecord(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app
