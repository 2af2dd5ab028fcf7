// The ffmpeg command lines that look into a recording: the probe that says which streams a file
// has and how long it is, the one run of ffmpeg's own filters (silencedetect, blackdetect,
// freezedetect, ebur128) that measures it, and the two that draw its thumbnails.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/health/ContentHealth.h"

namespace confcap::health {

/// What the probe found in a file.
struct MediaProbe {
    bool hasVideo = false;  ///< a video stream that is not an attached picture
    bool hasAudio = false;
    std::optional<double> durationSeconds;  ///< none when ffmpeg could not tell

    bool operator==(const MediaProbe&) const = default;
};

/// ffmpeg's arguments (without the program) that print a file's streams and duration and end:
/// `-hide_banner -nostdin -i FILE`. ffmpeg exits with status 1 ("at least one output file"), and
/// its output goes to parseProbe(). Pure.
std::vector<std::string> probeArguments(const std::filesystem::path& file);

/// The streams and duration of the first input ffmpeg describes in `output` (its stderr). Pure.
MediaProbe parseProbe(std::string_view output);

/// ffmpeg's arguments (without the program) that measure `file` in one run, writing nothing
/// (`-f null -`): silencedetect and ebur128 on the first audio stream when `probe` has audio;
/// blackdetect and freezedetect on the first video stream when it has video, decoding key frames
/// only, single-threaded, at 5 frames per second and 90 lines, so a run takes a small part of
/// one core. With `lastSeconds`, only the file's last seconds (`-sseof`). The output goes to
/// parseAnalysis(). Pure. Throws std::invalid_argument when `probe` has neither stream.
std::vector<std::string> analysisArguments(const std::filesystem::path& file,
                                           const MediaProbe& probe, const Thresholds& thresholds,
                                           std::optional<core::Seconds> lastSeconds = {});

/// Where a talk's thumbnails go: `<outDir>/.confcap/thumbs/<relativeStem>.jpg` and
/// `...-strip.jpg`, and the same relative to `outDir` for the sidecar. Pure.
struct ThumbnailPaths {
    std::filesystem::path middle;
    std::filesystem::path strip;
    std::string middleRelative;  ///< ".confcap/thumbs/X.jpg", with '/' separators
    std::string stripRelative;
};
ThumbnailPaths thumbnailPaths(const std::filesystem::path& outDir,
                              const std::filesystem::path& relativeStem);

/// ffmpeg's arguments (without the program) that write one JPEG of the frame in the middle of
/// a file `durationSeconds` long, 360 lines high, to `output` (replaced when it exists). Pure.
std::vector<std::string> middleFrameArguments(const std::filesystem::path& file,
                                              double durationSeconds,
                                              const std::filesystem::path& output);

/// ffmpeg's arguments (without the program) that write one JPEG of `frames` frames spread evenly
/// over a file `durationSeconds` long (its last 5 s, or third, left out), side by side, each
/// `height` lines high, to `output` (replaced when it exists). Pure. Throws std::invalid_argument
/// when `frames` is below 1.
std::vector<std::string> stripArguments(const std::filesystem::path& file, double durationSeconds,
                                        const std::filesystem::path& output, int frames = 6,
                                        int height = 160);

}  // namespace confcap::health
