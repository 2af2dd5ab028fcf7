// The log: one line per event, marked with the room and talk it concerns, on the console (above
// the live table, coloured on a terminal) and optionally appended to a plain log file.
#pragma once

#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include <date/tz.h>

#include "confcap/status/Console.h"
#include "confcap/status/StatusBoard.h"

namespace confcap::status {

/// How much reaches the console: Quiet = warnings and errors, Normal = info and up,
/// Verbose = debug too.
enum class Verbosity { Quiet, Normal, Verbose };

/// Auto = colour when the console is a terminal and NO_COLOR is unset or empty;
/// Always and Never override both.
enum class ColourMode { Auto, Always, Never };

class LogWriter {
public:
    struct Options {
        Verbosity verbosity = Verbosity::Normal;
        ColourMode colour = ColourMode::Auto;
        /// The zone times are shown in; nullptr = the machine's zone (UTC when it has none).
        const date::time_zone* zone = nullptr;
        /// Show times in UTC (overrides `zone`).
        bool utc = false;
        /// Append every line (info and up; debug too when Verbose) here as plain text, with the
        /// date before the time. No file when empty.
        std::filesystem::path logFile;
    };

    /// Throws core::OutputError naming the file when the log file cannot be opened for appending.
    LogWriter(Console& console, Options options);

    /// Writes the event's line to the console (when its level passes) and to the log file.
    /// Thread-safe; lines never interleave.
    void write(const Event& event);
    /// A listener for StatusBoard::addListener that calls write(). The writer must outlive it.
    EventListener listener();

    /// The console line without newline, e.g.
    /// "03:12:04 [Saal 1 | 10:30 Opening] reconnected after 3.2 s (HTTP 503)"; warnings, errors
    /// and debug lines carry "warning: ", "error: ", "debug: " before the message. Room, talk and
    /// message are sanitized. With `colour`: the mark dim, the message in its level's colour.
    std::string format(const Event& event, bool colour) const;

    /// Whether console lines are coloured.
    bool colour() const noexcept { return colour_; }

    /// The Auto/Always/Never decision. `noColor` is the value of NO_COLOR (nullptr when unset).
    /// Pure.
    static bool wantColour(ColourMode mode, bool terminal, const char* noColor) noexcept;

private:
    std::string timeOfDay(std::chrono::system_clock::time_point t, const char* pattern) const;
    std::string plainBody(const Event& event) const;

    Console& console_;
    Options options_;
    const date::time_zone* zone_ = nullptr;  ///< nullptr = UTC
    bool colour_ = false;
    std::mutex fileMutex_;
    std::ofstream file_;
};

}  // namespace confcap::status
