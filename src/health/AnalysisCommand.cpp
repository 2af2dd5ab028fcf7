#include "confcap/health/AnalysisCommand.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "confcap/health/FfmpegReport.h"

namespace confcap::health {

namespace {

/// The strip's frames keep this far from the file's end.
constexpr double kEndMargin = 5.0;

/// A number of seconds as ffmpeg reads it, to the millisecond.
std::string secondsText(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", seconds < 0 ? 0.0 : seconds);
    return buffer;
}

/// A level in dB as ffmpeg reads it: "-50.0".
std::string decibelText(double db) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", db);
    return buffer;
}

/// Image options: one frame, as a single JPEG (mjpeg) even without a .jpg name.
void addJpegOutput(std::vector<std::string>& args, const std::filesystem::path& output) {
    args.insert(args.end(), {"-frames:v", "1", "-q:v", "4", "-f", "mjpeg", "-y", output.string()});
}

}  // namespace

std::vector<std::string> probeArguments(const std::filesystem::path& file) {
    return {"-hide_banner", "-nostdin", "-i", file.string()};
}

MediaProbe parseProbe(std::string_view output) {
    const auto input = parseInput(output);
    return {input.hasVideo, input.hasAudio, input.durationSeconds};
}

std::vector<std::string> analysisArguments(const std::filesystem::path& file,
                                           const MediaProbe& probe, const Thresholds& thresholds,
                                           std::optional<core::Seconds> lastSeconds) {
    if (!probe.hasVideo && !probe.hasAudio) {
        throw std::invalid_argument("analysisArguments: the file has neither video nor audio");
    }
    // The final progress line says how much media was read; one line a minute otherwise.
    std::vector<std::string> args = {"-hide_banner", "-nostdin", "-stats", "-stats_period",
                                     "60",           "-threads", "1"};
    if (probe.hasVideo) {
        // Key frames only: a picture that stays for seconds is seen as well, at a fraction of
        // the decoding.
        args.insert(args.end(), {"-skip_frame:v", "nokey"});
    }
    if (lastSeconds) {
        args.insert(args.end(), {"-sseof", "-" + std::to_string(lastSeconds->count())});
    }
    args.insert(args.end(), {"-i", file.string(), "-filter_threads", "1"});
    std::string graph;
    if (probe.hasAudio) {
        graph += "[0:a:0]silencedetect=noise=" + decibelText(thresholds.silenceBelowDb) +
                 "dB:d=" + std::to_string(thresholds.silenceFor.count()) +
                 ",ebur128=framelog=verbose[audio]";
    }
    if (probe.hasVideo) {
        graph += std::string(graph.empty() ? "" : ";") + "[0:v:0]fps=5,scale=-2:90,blackdetect=d=" +
                 std::to_string(thresholds.blackFor.count()) +
                 ",freezedetect=n=" + decibelText(thresholds.frozenNoiseDb) +
                 "dB:d=" + std::to_string(thresholds.frozenFor.count()) + "[video]";
    }
    args.insert(args.end(), {"-filter_complex", graph});
    if (probe.hasAudio) {
        args.insert(args.end(), {"-map", "[audio]"});
    }
    if (probe.hasVideo) {
        args.insert(args.end(), {"-map", "[video]"});
    }
    args.insert(args.end(), {"-f", "null", "-"});
    return args;
}

ThumbnailPaths thumbnailPaths(const std::filesystem::path& outDir,
                              const std::filesystem::path& relativeStem) {
    const auto folder = std::filesystem::path(".confcap") / "thumbs";
    const auto stem = relativeStem.generic_string();
    ThumbnailPaths paths;
    paths.middleRelative = (folder / (stem + ".jpg")).generic_string();
    paths.stripRelative = (folder / (stem + "-strip.jpg")).generic_string();
    paths.middle = outDir / paths.middleRelative;
    paths.strip = outDir / paths.stripRelative;
    return paths;
}

std::vector<std::string> middleFrameArguments(const std::filesystem::path& file,
                                              double durationSeconds,
                                              const std::filesystem::path& output) {
    std::vector<std::string> args = {
        "-hide_banner", "-nostdin",    "-loglevel", "error",
        "-threads",     "1",           "-ss",       secondsText(durationSeconds / 2),
        "-i",           file.string(), "-map",      "0:v:0",
        "-vf",          "scale=-2:360"};
    addJpegOutput(args, output);
    return args;
}

std::vector<std::string> stripArguments(const std::filesystem::path& file, double durationSeconds,
                                        const std::filesystem::path& output, int frames,
                                        int height) {
    if (frames < 1) {
        throw std::invalid_argument("stripArguments: frames must be at least 1");
    }
    std::vector<std::string> args = {"-hide_banner", "-nostdin", "-loglevel", "error"};
    std::string graph;
    std::string stacked;
    // Seeking into a file's last group of pictures finds no frame (MPEG-TS seeks by byte
    // position): the frames are spread over all but the last seconds.
    const double spread = durationSeconds - std::min(kEndMargin, durationSeconds / 3);
    for (int i = 0; i < frames; ++i) {
        // The middle of each of `frames` equal parts, so neither end's slate is shown.
        const double at = spread * (i + 0.5) / frames;
        args.insert(args.end(), {"-threads", "1", "-ss", secondsText(at), "-i", file.string()});
        const auto index = std::to_string(i);
        graph +=
            "[" + index + ":v:0]scale=-2:" + std::to_string(height) + ",setsar=1[f" + index + "];";
        stacked += "[f" + index + "]";
    }
    graph += frames == 1 ? stacked + "null[strip]"
                         : stacked + "hstack=inputs=" + std::to_string(frames) + "[strip]";
    args.insert(args.end(), {"-filter_complex", graph, "-map", "[strip]"});
    addJpegOutput(args, output);
    return args;
}

}  // namespace confcap::health
