#include "confcap/app/RunDisplay.h"

#include <unistd.h>

namespace confcap::app {

namespace {

status::LogWriter::Options logOptions(const Arguments& arguments, const date::time_zone* zone,
                                      bool utc) {
    status::LogWriter::Options options;
    options.verbosity = arguments.flag("quiet")     ? status::Verbosity::Quiet
                        : arguments.flag("verbose") ? status::Verbosity::Verbose
                                                    : status::Verbosity::Normal;
    options.logFile = arguments.value("log-file").value_or("");
    options.zone = zone;
    options.utc = utc;
    return options;
}

}  // namespace

RunDisplay::RunDisplay(const Arguments& arguments, const date::time_zone* zone, bool utc)
    : console(STDERR_FILENO), log(console, logOptions(arguments, zone, utc)) {
    board.addListener(log.listener());
}

}  // namespace confcap::app
