// What a follower of a live HLS media playlist decides at each reload and each segment: which
// segments rolled out unfetched, what a refused segment costs, where a piece begins, and how a
// reload ends. Pure: HlsSource fetches and tells what these decide.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "confcap/core/Media.h"
#include "confcap/source/HlsPlaylist.h"
#include "confcap/source/Source.h"
#include "confcap/source/VariantFitter.h"

namespace confcap::source {

/// The playlist's EXT-X-TARGETDURATION, at least a second. Pure.
std::chrono::milliseconds targetOf(const HlsPlaylist& playlist) noexcept;

/// Segments that rolled out of a playlist before they were fetched.
struct RolledOut {
    std::int64_t firstSequence = 0;
    std::int64_t lastSequence = 0;
    std::int64_t count = 0;
    std::chrono::milliseconds length{0};  ///< `target` each, for at most a day's worth of them
};

/// The segments from `next` (the one due) up to before `first` (the first one listed), each of
/// `target`; nullopt when `next` is still listed. Pure.
std::optional<RolledOut> rolledOut(std::int64_t next, std::int64_t first,
                                   std::chrono::milliseconds target) noexcept;

/// The gap `lost` leaves in `track` (a further track is named by its rendition) of the media
/// playlist `url`, from `at` (UTC: when the track delivered last). Pure.
core::Gap rolledOutGap(const RolledOut& lost, const core::TrackInfo& track, const std::string& url,
                       std::chrono::system_clock::time_point at);

/// The gap of a listed `segment` given up at `at` (UTC) after the server refused it `why`. Pure.
core::Gap refusedGap(const HlsSegment& segment, std::chrono::system_clock::time_point at,
                     const std::string& why);

/// Adds segments `first`..`last` holding `length` of media to the losses `resume` tells with a
/// connection's first segment (Resume::lostFirst, lostLast, lostLength). Pure.
void addLost(Resume& resume, std::int64_t first, std::int64_t last,
             std::chrono::milliseconds length) noexcept;

/// What a stream that started again between two reloads lost: the time `since` the last
/// delivery less the one segment (`target`) that was due then; nullopt when that is nothing.
/// Pure.
std::optional<std::chrono::milliseconds> restartLoss(std::chrono::milliseconds since,
                                                     std::chrono::milliseconds target) noexcept;

/// The gap of the stream `url` that started again, `length` long from `at` (UTC: when it
/// delivered last). Pure.
core::Gap restartGap(const std::string& url, std::chrono::system_clock::time_point at,
                     std::chrono::milliseconds length);

/// How long the segment at `place` of a playlist (0: the first listed) stays listed, `elapsed`
/// after the playlist was read: it rolls out after as many updates (one per `target`) as
/// segments come before it, plus one. Zero or less when it may be gone. Pure.
std::chrono::milliseconds timeLeftListed(std::int64_t place, std::chrono::milliseconds target,
                                         std::chrono::milliseconds elapsed) noexcept;

/// What a follower does about a listed segment the server refused (404, 403, ...): it may have
/// rolled out a moment ago.
enum class Refusal {
    Retry,       ///< the main track: the connection fails (Transient), a fresh playlist follows
    NextReload,  ///< a further track: try it again at the next reload, the main track goes on
    GiveUp,      ///< refused too often in a row: the segment is lost
};

/// The refusals of one track's segments in a row (a segment refused three times is given up).
class SegmentRefusals {
public:
    /// Counts a refusal of `sequence` (in a row when the refusal before was of it too) and
    /// says what to do; `main`: the refused segment is the main track's.
    Refusal refused(std::int64_t sequence, bool main) noexcept;
    /// A segment was delivered or given up, or the track moved to another playlist.
    void clear() noexcept;

private:
    std::int64_t sequence_ = -1;
    int count_ = 0;
};

/// Where a connection stands when the main track's next segment arrives.
struct PiecePlace {
    bool connected = false;        ///< connected() was told on this connection
    bool newPiece = false;         ///< a new piece was asked for (a further track's new init)
    bool newTimeline = false;      ///< the playlist started a new timeline since the last piece
    bool newInit = false;          ///< the segment's EXT-X-MAP differs from the piece's
    bool discontinuity = false;    ///< EXT-X-DISCONTINUITY precedes the segment
    bool deliveredBefore = false;  ///< an earlier connection delivered a segment
};

/// The Resume the main track's segment hands to connected() when it begins a piece: the
/// connection's first segment (with `pending`, the losses gathered before it), a new
/// initialization section, a discontinuity while connected (a new timeline) or a new piece
/// asked for. nullopt when the segment goes on in the current piece. Sequence, date and media
/// start are left for the caller. Pure.
std::optional<Resume> pieceResume(const PiecePlace& place, const Resume& pending);

/// What a further track does with its next segment.
enum class TrackStep {
    Deliver,
    Wait,      ///< until the main track has begun the piece it is to join
    NewPiece,  ///< its initialization changed mid-piece: the main track begins a new piece first
};

/// A further track's segment with EXT-X-MAP `map`: Wait while the main track has not connected
/// or a new piece is pending; NewPiece when the track has `begun` the piece with another
/// initialization section (`pieceMap`); else Deliver. Pure.
TrackStep furtherTrackStep(bool connected, bool newPiece, const std::optional<HlsMap>& map,
                           bool begun, const std::optional<HlsMap>& pieceMap) noexcept;

/// How a reload of the main playlist ends.
enum class ReloadEnd {
    Finished,  ///< the stream had ended when first read, and everything was delivered
    Paused,    ///< a live stream ended (EXT-X-ENDLIST), and everything was delivered
    Stalled,   ///< the playlist has not grown for too long
    Reload,    ///< wait, then read it again
};

/// How a reload of `playlist` ends: everything listed delivered (`next` past its newest) of a
/// playlist with EXT-X-ENDLIST is Finished when it had `endedWhenFirstRead`, else Paused; a
/// playlist `still` (not grown) for longer than max(`stallTimeout`, 3 target durations) is
/// Stalled. Pure.
ReloadEnd reloadEnd(const HlsPlaylist& playlist, std::optional<std::int64_t> next,
                    bool endedWhenFirstRead, std::chrono::steady_clock::duration still,
                    std::chrono::milliseconds stallTimeout) noexcept;

/// When to read a playlist again after reading it: a target duration later when it `changed`,
/// half of one when it did not (RFC 8216 6.3.4). Pure.
std::chrono::milliseconds reloadDelay(const HlsPlaylist& playlist, bool changed) noexcept;

/// The move `decision` makes from the variant `from` to `to`, going on at segment `sequence`
/// where the media written ends (`at`, UTC), as the sinks are told. Pure.
core::VariantSwitch variantSwitch(const VariantDecision& decision, const HlsVariant& from,
                                  const HlsVariant& to, std::int64_t sequence,
                                  std::chrono::system_clock::time_point at);

/// "Stepping down from the variant 1280x720, 2.2 Mb/s to 640x360, 800 kb/s at segment 12: why.",
/// the log line of `change`. Pure.
std::string switchNotice(const core::VariantSwitch& change, VariantStep step,
                         const HlsVariant& from, const HlsVariant& to);

}  // namespace confcap::source
