// A window of a room's tape played into a sink as the room's capture delivered it: the same
// pieces, tracks, gaps and reconnects, joined at the first point a player can start at (the
// capture's own Fanout does the joining), with the sink's clock at each event's recorded time.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "confcap/core/Clock.h"
#include "confcap/core/Media.h"
#include "confcap/sink/TapeIndex.h"

namespace confcap::run {

/// The folder of the room tapes in the output folder `outDir`: ".confcap/tape".
std::filesystem::path tapesFolder(const std::filesystem::path& outDir);

/// The folder of `room`'s tape in the output folder `outDir`: tapesFolder/<room>, the room's
/// name made safe for a file name.
std::filesystem::path tapeFolderFor(const std::filesystem::path& outDir, const std::string& room);

/// A clock that tells the time it is set to: the recorded time of the event being played.
class ReplayClock final : public core::Clock {
public:
    TimePoint now() const override { return at; }
    TimePoint at{};
};

/// Plays the media of `tape` (readTape of `folder`) that lies in [from, until] into `sink`:
/// HLS segments whose media overlaps the window, other chunks that arrived inside it. Gaps are
/// cut to the window; a stretch of the window the tape does not hold at all is a gap of its own
/// ("not on the tape"). `clock` is set to each event's time before the sink hears of it.
/// Returns the media bytes the sink got. Throws core::OutputError naming a tape file that cannot
/// be read.
std::uint64_t replayTape(const std::filesystem::path& folder,
                         const std::vector<sink::TapeFile>& tape,
                         std::chrono::system_clock::time_point from,
                         std::chrono::system_clock::time_point until, core::MediaSink& sink,
                         ReplayClock& clock);

}  // namespace confcap::run
