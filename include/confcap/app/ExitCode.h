// The exit codes confcap documents (README, --help). They follow sysexits.h where one fits.
#pragma once

#include <exception>

namespace confcap::app {

enum ExitCode : int {
    kExitOk = 0,            ///< everything asked for was done
    kExitTalksFailed = 1,   ///< record: a selected talk with a stream produced no file
    kExitUsage = 64,        ///< bad option, option value or argument
    kExitDataError = 65,    ///< the schedule is malformed or not a schedule
    kExitNoInput = 66,      ///< the schedule file does not exist or cannot be read, or a
                            ///< folder given to merge does not exist
    kExitUnavailable = 69,  ///< a URL could not be fetched (unreachable, HTTP error, TLS), or
                            ///< the --recorder program is not installed
    kExitSoftware = 70,     ///< an internal error (a bug: please report it)
    kExitCantCreate = 73,   ///< the output folder (record, capture, merge --out) cannot be
                            ///< created or written
    kExitIoError = 74,      ///< writing a recording failed (disk full, file size limit)
    kExitConfig = 78,       ///< the --config file cannot be read or holds a bad value
    kExitInterrupted = 130  ///< stopped at once by a second Ctrl-C; .part files remain
};

/// The exit code for an error that ended a command. Pure.
ExitCode exitCodeFor(const std::exception& error) noexcept;

}  // namespace confcap::app
