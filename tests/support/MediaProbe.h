// What ffprobe says about a media file: its audio and video streams and the time its packets
// span, for the suites' checks that a recording plays.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "support/RunProcess.h"

namespace confcap::testing {

/// What ffprobe says about a media file.
struct Probe {
    bool ok = false;     ///< ffprobe exited 0 and found at least one stream
    int streams = 0;     ///< audio and video streams
    double span = 0;     ///< first packet start to last packet end, seconds, all streams
    std::string errors;  ///< what ffprobe printed on stderr
};

inline Probe probe(const std::filesystem::path& file) {
    const auto result = runProcess(
        "ffprobe", {"-v", "error", "-show_entries", "packet=pts_time,duration_time:stream=index",
                    "-of", "csv=p=0", file.string()});
    Probe p;
    p.errors = result.err;
    double first = 1e18;
    double last = 0;
    // MPEG-TS lists its streams twice (in the program and on their own): count distinct ones.
    std::set<std::string> indexes;
    std::istringstream lines(result.out);
    std::string line;
    while (std::getline(lines, line)) {
        const auto comma = line.find(',');
        // A stream's index, alone or followed by an empty field (a video stream with side data).
        if (comma == std::string::npos || comma + 1 == line.size()) {
            line.resize(std::min(comma, line.size()));
            if (!line.empty() && std::all_of(line.begin(), line.end(), [](unsigned char c) {
                    return std::isdigit(c) != 0;
                })) {
                indexes.insert(line);
            }
            continue;
        }
        if (line.compare(0, 3, "N/A") == 0) {
            continue;
        }
        const double pts = std::strtod(line.c_str(), nullptr);
        const double duration = std::strtod(line.c_str() + comma + 1, nullptr);
        first = std::min(first, pts);
        last = std::max(last, pts + duration);
    }
    p.streams = static_cast<int>(indexes.size());
    p.span = last > first ? last - first : 0;
    p.ok = result.exitCode == 0 && p.streams > 0 && p.span > 0;
    return p;
}

}  // namespace confcap::testing
