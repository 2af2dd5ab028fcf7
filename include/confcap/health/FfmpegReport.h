// Reading what ffmpeg prints on stderr while it measures a file: the input's streams and
// duration, the detectors' stretches, the progress line's media time and the loudness summary.
#pragma once

#include <optional>
#include <string_view>

#include "confcap/health/ContentHealth.h"

namespace confcap::health {

/// What ffmpeg says of its first input.
struct InputReport {
    bool hasVideo = false;  ///< a video stream that is not an attached picture (cover art)
    bool hasAudio = false;
    std::optional<double> durationSeconds;  ///< the "Duration:" line; none for "N/A"
};

/// The first input's streams and duration from ffmpeg's stderr `output` (lines ended by '\n' or
/// '\r'); the outputs' streams are not counted. Pure.
InputReport parseInput(std::string_view output);

/// The health ffmpeg's stderr `output` of an analysisArguments() run tells. Offsets are media
/// seconds from the start of what was analysed. The analysed time is the last progress line's
/// (else the input's duration). A silence or frozen picture that has begun and not ended lasts
/// to the end; a frozen picture does not count while the picture is black as well (that is black
/// picture). Unknown lines are ignored. Pure.
ContentHealth parseAnalysis(std::string_view output);

}  // namespace confcap::health
