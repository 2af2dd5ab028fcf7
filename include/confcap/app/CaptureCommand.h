// `confcap capture URL --for DURATION -o FILE`: records one stream now, for a set time, with the
// engine `record` uses (one RoomCapture feeding one TalkSink), and ends with one sentence.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>

#include "confcap/app/CommandLine.h"

namespace confcap::app {

/// Where `-o FILE` puts a capture: the folder, and the stem that the stream's extension is
/// appended to ("talk.mp4" on an MPEG-TS stream becomes "talk.ts"; "talk" too).
struct CaptureTarget {
    std::filesystem::path folder;  ///< FILE's folder; "." when FILE names none
    std::filesystem::path stem;    ///< FILE's name without its last extension
};

/// The target for `file` as given to -o. Pure. Throws core::UsageError when `file` is empty or
/// ends in a folder ("talks/", ".", "..").
CaptureTarget captureTarget(const std::string& file);

/// What the progress line shows.
struct CaptureProgress {
    std::chrono::seconds elapsed{0};
    std::chrono::seconds total{0};  ///< --for
    std::uint64_t bytes = 0;        ///< written so far
    double bitsPerSecond = 0;       ///< recent rate
    int reconnects = 0;
    int gaps = 0;
    double gapSeconds = 0;
    bool receiving = false;  ///< media flows now
    /// While not receiving: why (the last failure, one sentence), or empty.
    std::string problem;
};

/// The one-line progress display, e.g.
/// "recording 1:23 / 1:00:00  12.3 MB  4.1 Mb/s  2 reconnects  1 gap (3.2 s)". Times as M:SS, or
/// H:MM:SS when --for is an hour or more. Pure.
std::string progressLine(const CaptureProgress& progress);

/// Runs `confcap capture`. Returns the exit code: 0 recorded (also after Ctrl-C or when the
/// stream ended), 1 discarded as too small or too short, 69 no data ever arrived (nothing is
/// left on disk), 74 writing failed (what was written is kept and finalized). Throws
/// core::UsageError for bad options and core::OutputError when FILE's folder cannot be written.
/// The result sentence goes to `out`; the log, the progress line and errors to stderr (`err`).
int runCapture(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app
