// One media playlist an HLS source follows, and what it keeps of it between connections: where
// it goes on, what it delivered, the init section it fetched last, the refusals in a row, and
// which piece it has begun.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "confcap/core/Media.h"
#include "confcap/source/HlsFollowing.h"
#include "confcap/source/HlsPlaylist.h"
#include "confcap/source/HlsTimeline.h"
#include "confcap/source/Source.h"

namespace confcap::source {

/// A followed media playlist (track 0 the main one). Used on the source's thread.
struct HlsTrack {
    core::TrackInfo info;
    std::string url;
    HlsTimeline timeline;
    std::optional<HlsMap> map;  ///< the init section fetched last, with its bytes
    std::string mapBytes;
    SegmentRefusals refusals;
    std::string playlistFailure;  ///< a further track's playlist that fails now, as told
    std::optional<std::chrono::system_clock::time_point> lastEnd;  ///< where its media ends
    bool begun = false;                                            ///< it began the current piece
    std::optional<HlsMap> pieceMap;                                ///< with this init section

    /// True for the main track.
    bool main() const noexcept { return info.index == 0; }
    /// A new piece begins: the track begins it again with its next segment.
    void leavePiece() noexcept;
    /// Writes `segment`'s `body` to `out` as a SegmentStart chunk with its sequence, URI and
    /// wall-clock end, preceded by the init section (mapBytes) when the segment has one the
    /// piece did not have yet, and remembers the segment as delivered now. Throws what `out`
    /// throws.
    void write(SourceOutput& out, const HlsSegment& segment, std::string_view body);
};

}  // namespace confcap::source
