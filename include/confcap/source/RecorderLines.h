// What an external recorder prints on stdout and stderr, as log lines: split into lines, each a
// notice "<name>: <line>", at most 20 a minute (the rest counted), and the last one kept to say
// why the program ended.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "confcap/source/Source.h"

namespace confcap::source {

/// The output of one run of a program. Used on one thread.
class RecorderLines {
public:
    /// Tells the lines of the program `name` to `out`.
    RecorderLines(std::string name, SourceOutput& out);

    /// Takes in output as read (any cut): each line ended by CR or LF, control characters as
    /// spaces, at most 400 characters, is told unless 20 were told in the last minute.
    void feed(std::string_view bytes);
    /// The program has exited: tells its unfinished last line and how many were not told.
    void flush();
    /// The last line, leaving out ffmpeg's "Last message repeated" (it says nothing about why
    /// the program ended); empty before the first.
    const std::string& lastLine() const noexcept { return last_; }

private:
    void finishLine();

    std::string name_;
    SourceOutput& out_;
    std::string partial_;
    std::string last_;
    std::chrono::steady_clock::time_point windowStart_ = std::chrono::steady_clock::now();
    int logged_ = 0;
    int held_ = 0;
};

}  // namespace confcap::source
