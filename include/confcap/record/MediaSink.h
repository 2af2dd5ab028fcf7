// What a room's capture hands to each attached talk sink: media bytes in order, the start of each
// piece, and every loss of stream. Implemented by TalkSink; fed by RoomCapture from its sources.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace confcap::record {

/// The container of the bytes that follow, as far as the source could tell.
struct StreamFormat {
    std::string extension;  ///< "ts", "mp4", "mp3", "aac", "ogg", "webm", "mkv", "flv"
    /// True when a later connection's bytes may be appended to the same file and still play
    /// (MPEG-TS, MP3, ADTS AAC); false for WebM/Matroska, MP4 and FLV.
    bool concatSafe = true;
};

/// A stretch of the stream that was not recorded.
struct Gap {
    std::chrono::system_clock::time_point at;  ///< when the loss began (UTC wall clock)
    std::chrono::milliseconds length{0};       ///< how long, measured or estimated
    std::string cause;                         ///< "HTTP 503", "stall", "connection reset", ...
    /// For HLS: the media sequence numbers lost, when known.
    std::optional<std::int64_t> firstSequence;
    std::optional<std::int64_t> lastSequence;
};

/// Receives one room's media. All calls for one sink come from one capture thread, in order,
/// never two at once; the one exception is the gap RoomCapture::detach() delivers on the
/// detaching thread when the sink leaves during an outage (still never concurrently).
class MediaSink {
public:
    virtual ~MediaSink() = default;
    /// The bytes that follow are a (new) connection's stream in `format`. Called before the
    /// first write and after every reconnect; a non-concat-safe format starts a new piece.
    virtual void beginPiece(const StreamFormat& format) = 0;
    /// Media bytes in stream order. `mediaSeconds` is the media time they cover when the source
    /// knows it (an HLS segment's duration), else 0. Throws core::OutputError when writing fails.
    virtual void write(std::string_view bytes, double mediaSeconds) = 0;
    /// A loss of stream was measured.
    virtual void gap(const Gap& gap) = 0;
    /// The source lost its connection and got it back (counted, not a loss by itself).
    virtual void reconnected() = 0;
};

}  // namespace confcap::record
