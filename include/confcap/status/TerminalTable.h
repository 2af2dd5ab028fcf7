// The live view on the console: on a terminal, a table of the running and next jobs redrawn in
// place every second below the log; elsewhere (a pipe, a file, a service journal) a one-line
// summary now and then.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include <date/tz.h>

#include "confcap/core/Clock.h"
#include "confcap/core/Timer.h"
#include "confcap/status/Console.h"
#include "confcap/status/StatusBoard.h"

namespace confcap::status {

class TerminalTable {
public:
    struct Options {
        /// How often the table is redrawn on a terminal.
        std::chrono::milliseconds period{1000};
        /// How often the one-line summary is printed when the console is not a terminal.
        std::chrono::milliseconds summaryPeriod{std::chrono::minutes(1)};
        /// How many waiting jobs the table lists as the next talks.
        std::size_t upcoming = 5;
        /// The zone the clock in the headline is shown in; nullptr = the machine's zone (UTC
        /// when it has none).
        const date::time_zone* zone = nullptr;
        /// Show the clock in UTC (overrides `zone`).
        bool utc = false;
    };

    /// Reads `board` and `clock`, draws on `console` when `timer` (the table's own) says; all
    /// four must outlive the table. Nothing is drawn before start().
    TerminalTable(const StatusBoard& board, Console& console, const core::Clock& clock,
                  core::Timer& timer, Options options);
    /// Stops (see stop()).
    ~TerminalTable();
    TerminalTable(const TerminalTable&) = delete;
    TerminalTable& operator=(const TerminalTable&) = delete;

    /// Draws now and then every period, on the timer's thread. Call once.
    void start();
    /// Stops redrawing and removes the table from the terminal. Idempotent; thread-safe.
    void stop();
    /// Redraws now (terminal) or prints the summary line now (otherwise). Thread-safe.
    void refresh();

    /// The table's lines for `jobs` at `now`, each at most `width` - 1 columns, at most
    /// `maxLines` lines: a headline with the counts, a header, one row per active job, then up
    /// to `upcoming` waiting jobs. The headline's clock in `zone` (nullptr = UTC). Pure.
    static std::vector<std::string> render(const std::vector<JobSnapshot>& jobs, core::Instant now,
                                           std::size_t width, std::size_t maxLines,
                                           std::size_t upcoming, const date::time_zone* zone);

    /// "3 recording, 2 waiting, 5 done, 1 failed; 1.2 GB" (states with no job are left out;
    /// "no jobs" when there are none). Pure.
    static std::string summaryLine(const std::vector<JobSnapshot>& jobs);

private:
    const StatusBoard& board_;
    Console& console_;
    const core::Clock& clock_;
    Options options_;
    const date::time_zone* zone_ = nullptr;  ///< nullptr = UTC
    core::Timer& timer_;
    std::mutex mutex_;
    bool stopping_ = false;
};

}  // namespace confcap::status
