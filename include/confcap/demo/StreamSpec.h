// What a fake stream serves and how it misbehaves: the description FakeStreamServer, the fake
// conference and the tests share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "confcap/demo/MediaLoop.h"

namespace confcap::demo {

/// What a stream serves.
enum class StreamKind {
    Hls,      ///< live HLS with MPEG-TS segments
    HlsFmp4,  ///< live HLS with fragmented MP4 segments and EXT-X-MAP
    Ts,       ///< progressive MPEG-TS
    Mp3,      ///< progressive MP3 (audio only)
    Webm,     ///< progressive live WebM
};

/// True for Hls and HlsFmp4.
bool isHls(StreamKind kind) noexcept;
/// The media the stream's segments or bytes are cut from.
MediaLoop::Format mediaFormatOf(StreamKind kind) noexcept;
/// A progressive stream's file extension (".ts", ".mp3", ".webm") and Content-Type.
const char* progressiveExtension(StreamKind kind) noexcept;
const char* progressiveContentType(StreamKind kind) noexcept;

/// A scripted misbehaviour of one stream while the server's clock is in [from, to) seconds.
struct Fault {
    enum class Kind {
        Drop,      ///< reset open connections at `from`; refuse new ones until `to`
        Stall,     ///< send nothing (requests hang, streams pause) until `to`
        Status,    ///< answer `status` (with Retry-After `retryAfter` when >= 0)
        FailOnce,  ///< HLS: the first request for segment `sequence` gets `status`
        EndList,   ///< HLS: the playlist ends (EXT-X-ENDLIST, no new segments) until `to`
        /// HLS: the packager restarts: every request answers 404 from `from` until `to`, then
        /// a new timeline begins, numbered from `sequence`, its media starting again at the
        /// clip's start, its window filling up from empty.
        Restart,
    };
    Kind kind = Kind::Drop;
    double from = 0;
    double to = 0;
    int status = 503;
    long retryAfter = -1;
    std::int64_t sequence = -1;

    /// True when server time t is in [from, to).
    bool activeAt(double t) const noexcept { return from <= t && t < to; }

    static Fault drop(double at, double refuseUntil = -1);
    static Fault stall(double from, double to);
    static Fault httpStatus(double from, double to, int status, long retryAfter = -1);
    static Fault failOnce(std::int64_t sequence, int status = 500);
    static Fault endList(double from, double to);
    static Fault restart(double from, double to, std::int64_t sequence = 0);
};

/// One stream the server offers.
struct StreamSpec {
    std::string name;  ///< a URL path component
    StreamKind kind = StreamKind::Hls;
    /// HLS: segments listed in the playlist (the sliding window).
    int window = 6;
    /// HLS: media sequence number of the first segment the stream ever had.
    std::int64_t firstSequence = 0;
    /// HLS: the playlists carry EXT-X-KEY METHOD=AES-128 (the segments are served unencrypted).
    bool encrypted = false;
    std::vector<Fault> faults;
    /// The clip this stream serves instead of the server's (a silent or still one); none: the
    /// server's.
    std::optional<MediaClip> clip;
};

}  // namespace confcap::demo
