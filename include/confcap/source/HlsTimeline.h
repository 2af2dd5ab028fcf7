// Where a followed HLS media playlist stands between reloads: the next segment to deliver, the
// last ones delivered and when each listed segment was first seen, so that a reload is told apart
// as going on, lagging or starting again, and each segment has its place on the wall clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "confcap/source/HlsPlaylist.h"

namespace confcap::source {

/// When `segment`'s media ends on the wall clock (UTC): its EXT-X-PROGRAM-DATE-TIME plus its
/// duration when that lies within a minute of `firstListed`, the moment the segment was first
/// listed (an encoder's clock may be off); else `firstListed`. Pure.
std::chrono::system_clock::time_point segmentEnd(const HlsSegment& segment,
                                                 std::chrono::system_clock::time_point firstListed);

/// When each of `playlist`'s segments ends on the wall clock by its listing in a read at `now`,
/// in the playlist's order: a live playlist's newest segment ends at `now`, and each before it
/// one duration earlier than the next; a finished one (EXT-X-ENDLIST or VOD) ties nothing to the
/// wall clock, so every segment ends at `now`. Pure.
std::vector<std::chrono::system_clock::time_point> listedEnds(
    const HlsPlaylist& playlist, std::chrono::system_clock::time_point now);

/// The sequence number a track that has delivered nothing yet starts with in `playlist`: its first
/// segment when the stream had `ended` when first read (EXT-X-ENDLIST or VOD), else the first of
/// its newest `liveEdgeSegments`. A further track given `mainStart` (when the media of the main
/// track's first segment starts) begins instead with the first segment whose segmentEnd, taken
/// from its listedEnds at `now`, lies past it, when there is one. Always a listed segment; the
/// playlist's media sequence when it lists none. Pure.
std::int64_t startSequence(const HlsPlaylist& playlist, bool ended, int liveEdgeSegments,
                           std::optional<std::chrono::system_clock::time_point> mainStart,
                           std::chrono::system_clock::time_point now);

/// Where a follower that moves to another variant of the same stream goes on in that variant's
/// media playlist `other`, `next` being the sequence number after the last segment written and
/// `newest` the newest one the old variant listed: at `next` when the two playlists are numbered
/// alike (variants of one packager: their newest lie at most two apart); else at the first
/// segment whose EXT-X-PROGRAM-DATE-TIME starts at or after `lastEnd` (UTC, the end of the last
/// segment written), less a second; else as far behind `other`'s newest segment as `next` was
/// behind `newest`. Pure.
std::int64_t switchSequence(const HlsPlaylist& other, std::int64_t next, std::int64_t newest,
                            std::optional<std::chrono::system_clock::time_point> lastEnd);

/// One followed media playlist's timeline: what was delivered from it (the last 16 segments) and
/// which segment comes next. Outlives a connection. Used on one thread (the source's run()).
class HlsTimeline {
public:
    /// Instants on it are UTC (see core::Chunk::endsAt).
    using WallClock = std::chrono::system_clock;

    /// Goes on at `next`, where an earlier run stopped; `lastUri` is the segment before it, when
    /// known (it tells a playlist that started again from one that goes on).
    void resumeAt(std::int64_t next, const std::string& lastUri);
    /// Goes on at `next` in another variant's playlist after a delivery at `lastDelivered`: the
    /// segments delivered before are not that playlist's, so none is remembered.
    void continueAt(std::int64_t next, WallClock::time_point lastDelivered);

    /// Compares `playlist`, read at `now`, with what was delivered (continuityOf, with the time
    /// since the last delivery and the discontinuity sequence of the playlist taken before).
    /// Stale changes nothing. NewTimeline forgets what was delivered and goes on from the
    /// playlist's first segment. Continues and NewTimeline both take in the playlist's
    /// discontinuity sequence and when each of its segments was first listed. A playlist that
    /// lists no segments Continues and changes nothing.
    HlsContinuity read(const HlsPlaylist& playlist, WallClock::time_point now);

    /// The sequence number to deliver next; unset until the track starts.
    std::optional<std::int64_t> next() const noexcept { return next_; }
    /// Goes on with `sequence`: where the track starts, past a segment delivered or given up,
    /// past segments that rolled out of the playlist.
    void setNext(std::int64_t sequence) noexcept { next_ = sequence; }

    /// Remembers `segment` as delivered at `now`.
    void delivered(const HlsSegment& segment, WallClock::time_point now);
    /// When the last segment was delivered; the epoch before the first.
    WallClock::time_point lastDelivered() const noexcept { return lastDelivered_; }

    /// segmentEnd of `segment`, from its listedEnds in the read() that first listed it (`now`
    /// when none did).
    WallClock::time_point endOf(const HlsSegment& segment, WallClock::time_point now) const;
    /// When `segment`'s media starts on the wall clock: endOf less its duration.
    WallClock::time_point startOf(const HlsSegment& segment, WallClock::time_point now) const;

private:
    std::optional<std::int64_t> next_;
    std::vector<HlsDelivered> recent_;  // the last segments delivered, oldest first
    std::int64_t discontinuitySequence_ = 0;
    WallClock::time_point lastDelivered_{};
    std::map<std::int64_t, WallClock::time_point> firstListed_;
};

}  // namespace confcap::source
