// Internal to the demo module: the live timeline of one fake HLS stream. Which segments exist at
// a server time, how they are numbered after a packager restart, where EndList pauses put
// discontinuities, and the playlists that list them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "confcap/demo/FakeStreamServer.h"
#include "confcap/demo/MediaLoop.h"

namespace confcap::demo {

/// A view of one stream's timeline; `spec` and `loop` must outlive it. Times are server
/// seconds since the server started; segment indexes k count from 0 on the stream's first
/// timeline. Pure.
class FakeHlsTimeline {
public:
    FakeHlsTimeline(const StreamSpec& spec, const MediaLoop& loop,
                    std::chrono::system_clock::time_point wallStart);

    /// Segments complete at server time t (segment k exists when k < available(t)).
    std::int64_t available(double t) const;
    /// The media sequence number of segment 0 of the timeline in force at t.
    std::int64_t firstSequenceAt(double t) const;
    /// The media playlist at t: the sliding window, with program date-times, discontinuities,
    /// the key and map lines the spec asks for, and EXT-X-ENDLIST while an EndList fault is on.
    std::string mediaPlaylist(double t) const;
    /// The master playlist: variants low/live.m3u8 and high/live.m3u8.
    static std::string masterPlaylist();

private:
    double pausedBefore(double t) const;
    double prerollSeconds() const;
    const Fault* restartedBy(double t) const;
    bool endListed(double t) const;
    std::vector<std::int64_t> discontinuities(double t) const;
    std::chrono::system_clock::time_point segmentWallTime(std::int64_t k) const;

    const StreamSpec& spec_;
    const MediaLoop& loop_;
    std::chrono::system_clock::time_point wallStart_;
};

}  // namespace confcap::demo
