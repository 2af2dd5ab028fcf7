// Where a restarted external recorder picks a live HLS stream up again: the first listed segment
// whose media begins after what the recorder last wrote (told by the PES timestamps the listed
// segments begin with), and the recorder's command line that starts there.
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

/// The index in a live media playlist of `count` segments at which a recorder that last wrote
/// media stamped `lastTicks` (90 kHz) goes on: the first segment whose media begins after it.
/// `firstTicks(i)` reads segment i's first timestamp (nullopt when it cannot). Reads from the
/// newest segment back and stops at the first one that begins at or before `lastTicks`. 0 when
/// every listed segment begins after it (those between rolled out); nullopt when the newest
/// begins at or before it (nothing new is listed yet) or no segment could be read.
std::optional<std::size_t> resumeIndex(
    std::size_t count, std::int64_t lastTicks,
    const std::function<std::optional<std::int64_t>(std::size_t)>& firstTicks);

/// Where to go on in a live HLS stream.
struct HlsRestart {
    std::size_t index = 0;      ///< in the media playlist as it was read
    std::int64_t sequence = 0;  ///< that segment's media sequence number
};

/// Reads the live HLS stream `url` (of a master playlist, its variant with the highest
/// bandwidth, which is what a recorder that takes the best picks) and finds where a recorder
/// that last wrote `lastTicks` goes on (resumeIndex), reading the first 64 KiB of the segments
/// it needs. nullopt when the stream cannot be read, is not MPEG-TS, or lists nothing new.
/// Throws nothing.
std::optional<HlsRestart> findHlsRestart(fetch::HttpClient& client, const std::string& url,
                                         std::int64_t lastTicks,
                                         std::chrono::milliseconds timeout) noexcept;

/// `command` beginning a live HLS input at playlist index `index`: ffmpeg's
/// "-live_start_index N" before its "-i {url}". nullopt for other programs. Pure.
std::optional<RecorderCommand> startingAt(const RecorderCommand& command, std::size_t index);

}  // namespace confcap::source
