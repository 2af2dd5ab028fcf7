#include "confcap/health/FfmpegReport.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

namespace confcap::health {

namespace {

using Interval = std::pair<double, double>;  // start and end, media seconds

/// A stretch ending this close to the end of what was analysed lasts to the end: key frames
/// only and 5 frames a second leave the last detected frame up to a group of pictures short.
constexpr double kEndTolerance = 3.0;

/// Pieces shorter than this left of a frozen stretch by a black one are not counted.
constexpr double kShortestPiece = 1.0;

std::vector<std::string_view> linesOf(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = std::min(text.find_first_of("\r\n", at), text.size());
        if (end > at) {
            lines.push_back(text.substr(at, end - at));
        }
        at = end + 1;
    }
    return lines;
}

/// The number that follows `key` in `line` (spaces skipped), if any.
std::optional<double> numberAfter(std::string_view line, std::string_view key) {
    const auto at = line.find(key);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    auto rest = line.substr(at + key.size());
    while (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
    }
    double value = 0;
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (error != std::errc() || end == rest.data()) {
        return std::nullopt;
    }
    return value;
}

/// "HH:MM:SS.ss" after `key` in seconds, if any.
std::optional<double> clockAfter(std::string_view line, std::string_view key) {
    const auto at = line.find(key);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    const auto text = line.substr(at + key.size());
    int hours = 0;
    int minutes = 0;
    double seconds = 0;
    const char* p = text.data();
    const char* const last = text.data() + text.size();
    auto r1 = std::from_chars(p, last, hours);
    if (r1.ec != std::errc() || r1.ptr == last || *r1.ptr != ':') {
        return std::nullopt;
    }
    auto r2 = std::from_chars(r1.ptr + 1, last, minutes);
    if (r2.ec != std::errc() || r2.ptr == last || *r2.ptr != ':') {
        return std::nullopt;
    }
    auto r3 = std::from_chars(r2.ptr + 1, last, seconds);
    if (r3.ec != std::errc()) {
        return std::nullopt;
    }
    return hours * 3600.0 + minutes * 60.0 + seconds;
}

bool contains(std::string_view line, std::string_view part) {
    return line.find(part) != std::string_view::npos;
}

/// `frozen` without the time `black` covers as well.
std::vector<Interval> without(const std::vector<Interval>& frozen,
                              const std::vector<Interval>& black) {
    std::vector<Interval> left;
    for (auto piece : frozen) {
        std::vector<Interval> pieces = {piece};
        for (const auto& [blackStart, blackEnd] : black) {
            std::vector<Interval> next;
            for (const auto& [start, end] : pieces) {
                if (blackEnd <= start || end <= blackStart) {
                    next.emplace_back(start, end);
                    continue;
                }
                if (start < blackStart) {
                    next.emplace_back(start, blackStart);
                }
                if (blackEnd < end) {
                    next.emplace_back(blackEnd, end);
                }
            }
            pieces = std::move(next);
        }
        for (const auto& p : pieces) {
            if (p.second - p.first >= kShortestPiece) {
                left.push_back(p);
            }
        }
    }
    return left;
}

Trouble troubleOf(const std::vector<Interval>& intervals, double analysed) {
    Trouble trouble;
    for (const auto& [start, end] : intervals) {
        const Stretch stretch{std::max(0.0, start), std::max(0.0, end - std::max(0.0, start))};
        trouble.seconds += stretch.seconds;
        if (!trouble.longest || stretch.seconds > trouble.longest->seconds) {
            trouble.longest = stretch;
        }
        if (end >= analysed - kEndTolerance) {
            trouble.atEnd = stretch;
        }
    }
    return trouble;
}

/// The detectors' stretches as ffmpeg 5.1 prints them.
struct Detected {
    std::vector<Interval> silence, black, frozen;
    std::optional<double> silenceStart, frozenStart;
    std::optional<double> lastTime;
    std::optional<double> loudness;
    bool inIntegrated = false;

    void take(std::string_view line) {
        if (contains(line, "[silencedetect")) {
            if (const auto start = numberAfter(line, "silence_start:")) {
                silenceStart = start;
            } else if (const auto end = numberAfter(line, "silence_end:"); end && silenceStart) {
                silence.emplace_back(*silenceStart, *end);
                silenceStart.reset();
            }
        } else if (contains(line, "[blackdetect")) {
            const auto start = numberAfter(line, "black_start:");
            const auto end = numberAfter(line, "black_end:");
            if (start && end) {
                black.emplace_back(*start, *end);
            }
        } else if (contains(line, "[freezedetect")) {
            if (const auto start = numberAfter(line, "freeze_start:")) {
                frozenStart = start;
            } else if (const auto end = numberAfter(line, "freeze_end:"); end && frozenStart) {
                frozen.emplace_back(*frozenStart, *end);
                frozenStart.reset();
            }
        } else if (contains(line, "Integrated loudness:")) {
            inIntegrated = true;
        } else if (inIntegrated && contains(line, " I:") && contains(line, "LUFS")) {
            loudness = numberAfter(line, "I:");
            inIntegrated = false;
        } else if (contains(line, "time=") && contains(line, "bitrate=")) {
            // The progress line; the last one says how much media was read.
            if (const auto t = clockAfter(line, "time=")) {
                lastTime = t;
            }
        }
    }
};

}  // namespace

InputReport parseInput(std::string_view output) {
    InputReport report;
    bool inFirstInput = false;
    for (const auto line : linesOf(output)) {
        if (line.starts_with("Input #0")) {
            inFirstInput = true;
            continue;
        }
        if (!inFirstInput) {
            continue;
        }
        if (line.starts_with("Input #") || line.starts_with("Output #") ||
            line.starts_with("Stream mapping")) {
            break;
        }
        if (contains(line, "Duration:")) {
            report.durationSeconds = clockAfter(line, "Duration: ");
        } else if (contains(line, "Stream #0:")) {
            if (contains(line, ": Video:") && !contains(line, "(attached pic)")) {
                report.hasVideo = true;
            } else if (contains(line, ": Audio:")) {
                report.hasAudio = true;
            }
        }
    }
    return report;
}

ContentHealth parseAnalysis(std::string_view output) {
    const auto input = parseInput(output);
    Detected detected;
    for (const auto line : linesOf(output)) {
        detected.take(line);
    }
    ContentHealth health;
    health.hasVideo = input.hasVideo;
    health.hasAudio = input.hasAudio;
    health.analysedSeconds = detected.lastTime.value_or(input.durationSeconds.value_or(0.0));
    const double end = health.analysedSeconds;
    // What began and did not end lasts to the end of what was analysed.
    if (detected.silenceStart && *detected.silenceStart < end) {
        detected.silence.emplace_back(*detected.silenceStart, end);
    }
    if (detected.frozenStart && *detected.frozenStart < end) {
        detected.frozen.emplace_back(*detected.frozenStart, end);
    }
    if (health.hasAudio) {
        health.silence = troubleOf(detected.silence, end);
        health.loudnessLufs = detected.loudness;
    }
    if (health.hasVideo) {
        health.black = troubleOf(detected.black, end);
        health.frozen = troubleOf(without(detected.frozen, detected.black), end);
    }
    return health;
}

}  // namespace confcap::health
