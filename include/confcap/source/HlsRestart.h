// Where a restarted external recorder picks a live HLS stream up again: the listed segment that
// holds the end of what the recorder last wrote (told by the PES timestamps the listed segments
// begin with), and the recorder's command line that starts there.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "confcap/fetch/HttpClient.h"
#include "confcap/source/RecorderCommand.h"

namespace confcap::source {

/// Where in a live media playlist a restarted recorder begins.
struct ResumePoint {
    std::size_t index = 0;
    /// The segment holds the end of what the recorder wrote: what it writes again up to there
    /// is dropped (OverlapTrim). False when every listed segment begins after it.
    bool overlaps = false;
};

/// Where a recorder that last wrote media stamped `lastTicks` (90 kHz) goes on in a live media
/// playlist of `count` segments: at the newest segment that begins at or before it, so that
/// nothing is lost when the playlist moves on between this read and the recorder's own.
/// `firstTicks(i)` reads segment i's first timestamp (nullopt when it cannot). Reads from the
/// newest segment back and stops at the first one that begins at or before `lastTicks`. Index 0
/// without overlap when every listed segment begins after it (those between rolled out);
/// nullopt when no segment could be read.
std::optional<ResumePoint> resumePoint(
    std::size_t count, std::int64_t lastTicks,
    const std::function<std::optional<std::int64_t>(std::size_t)>& firstTicks);

/// Where to go on in a live HLS stream.
struct HlsRestart {
    std::size_t index = 0;      ///< in the media playlist as it was read
    std::int64_t sequence = 0;  ///< that segment's media sequence number
    bool overlaps = false;      ///< it holds the end of what was written (ResumePoint)
};

/// Reads the live HLS stream `url` (of a master playlist, its variant with the highest
/// bandwidth, which is what a recorder that takes the best picks) and finds where a recorder
/// that last wrote `lastTicks` goes on (resumePoint), reading the first 64 KiB of the segments
/// it needs. nullopt when the stream cannot be read, has ended, or is not MPEG-TS.
/// Throws nothing.
std::optional<HlsRestart> findHlsRestart(fetch::HttpClient& client, const std::string& url,
                                         std::int64_t lastTicks,
                                         std::chrono::milliseconds timeout) noexcept;

/// `command` beginning a live HLS input at playlist index `index`: ffmpeg's
/// "-live_start_index N" before its "-i {url}". nullopt for other programs. Pure.
std::optional<RecorderCommand> startingAt(const RecorderCommand& command, std::size_t index);

}  // namespace confcap::source
