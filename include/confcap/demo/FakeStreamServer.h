// A fake conference stream server on loopback: live sliding-window HLS (master playlist with two
// variants, MPEG-TS or fMP4 segments) and paced progressive streams (MPEG-TS, MP3, WebM), all
// looped from one test clip, with scripted faults at times relative to the server's start.
// The test suites and `confcap demo` drive the capture engine against it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/demo/MediaFixture.h"
#include "confcap/demo/StreamSpec.h"

namespace confcap::demo {

/// A segment the server sent in full.
struct ServedSegment {
    std::string variant;
    std::int64_t sequence = 0;
    double at = 0;  ///< server seconds when it was sent
};

/// The server. URLs (all under 127.0.0.1:<port>):
///   HLS:         /hls/<name>/master.m3u8 → variants low/live.m3u8 (320x180, 400 kbit/s) and
///                high/live.m3u8 (1280x720, 1.2 Mbit/s) → segments <variant>/<sequence>.ts or .m4s
///                (plus init.mp4); both variants serve the same media.
///   progressive: /live/<name>.ts | .mp3 | .webm, paced at the media's rate, Connection: close.
///   redirect:    /go/<name> → 302 to the stream's url().
/// Time: segment k (counted from `firstSequence`) completes `(k + 1 - window)` segment lengths
/// after start, so a full window is there at once and the live edge moves in real time; a
/// progressive connection starts at the unit (about a second) playing at its server time.
/// Handlers run on the server's threads; every member is thread-safe.
class FakeStreamServer {
public:
    /// Starts serving at once. Throws core::Error when the clip cannot be read.
    FakeStreamServer(const MediaClip& clip, std::vector<StreamSpec> streams);
    /// Wakes paced and stalled handlers and stops the server.
    ~FakeStreamServer();
    FakeStreamServer(const FakeStreamServer&) = delete;
    FakeStreamServer& operator=(const FakeStreamServer&) = delete;

    /// The stream's entry URL: the master playlist for HLS, the stream for progressive.
    std::string url(std::string_view name) const;
    /// An HLS stream's media playlist of `variant` ("low" or "high").
    std::string mediaPlaylistUrl(std::string_view name, std::string_view variant = "high") const;
    /// A URL that redirects (302) to url(name).
    std::string redirectUrl(std::string_view name) const;

    /// Seconds since the server started (steady clock).
    double elapsed() const;
    /// Blocks until elapsed() >= seconds.
    void waitUntil(double seconds) const;
    /// Adds a fault to stream `name` (times still count from the server's start).
    void addFault(std::string_view name, const Fault& fault);

    /// TCP connections accepted so far, all streams.
    std::size_t connections() const;
    /// HTTP requests for stream `name` so far (playlists, segments, progressive connections).
    std::size_t requests(std::string_view name) const;
    /// HLS segments of `name` sent in full, in the order sent; only of `variant` when not empty.
    std::vector<ServedSegment> served(std::string_view name, std::string_view variant = "") const;
    /// HLS: the newest segment listed at server time `seconds` (before any Restart fault).
    std::int64_t liveEdge(std::string_view name, double seconds) const;
    /// HLS: the length of one segment in seconds.
    double segmentSeconds() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace confcap::demo
