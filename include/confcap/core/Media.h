// The vocabulary of media on its way from a stream to a file, shared by the sources, the room
// captures and the talk sinks without their depending on each other: containers, chunks, tracks,
// losses and their causes, where an HLS stream stood, and the MediaSink a capture writes to.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace confcap::core {

/// The container of the bytes that follow, as far as the source could tell.
struct StreamFormat {
    std::string extension;  ///< "ts", "mp4", "mp3", "aac", "ogg", "webm", "mkv", "flv"
    /// True when a later connection's bytes may be appended to the same file and still play
    /// (MPEG-TS, MP3, ADTS AAC); false for WebM/Matroska, MP4 and FLV.
    bool concatSafe = true;
};

/// Why a stretch of the stream was not recorded, in a few words (the sidecar's `gaps[].cause`).
namespace gapcause {
/// The stream had not delivered anything yet (a playlist answering 404 before it goes live).
inline constexpr const char* kNotLiveYet = "not live yet";
/// The stream came back on a new timeline (an encoder restarted at the venue).
inline constexpr const char* kRestarted = "stream restarted";
/// A live stream ended (EXT-X-ENDLIST) and later went on.
inline constexpr const char* kPaused = "stream paused";
/// The connection failed, stalled or was refused, then came back.
inline constexpr const char* kOutage = "outage";
/// HLS segments left the playlist before they could be fetched.
inline constexpr const char* kRolledOut = "segments rolled out";
/// A listed HLS segment the server kept refusing.
inline constexpr const char* kSegmentFailed = "segment failed";
/// The stream went on while no confcap was running (a restart of confcap).
inline constexpr const char* kNotRunning = "confcap was not running";
/// The output folder's file system had no space (ENOSPC, EDQUOT, EFBIG): the stream was read
/// on, but what arrived could not be written.
inline constexpr const char* kDiskFull = "disk full";
/// A talk cut again from its room's tape: the tape does not hold this stretch (the room was not
/// recording then).
inline constexpr const char* kNotTaped = "not on the tape";
}  // namespace gapcause

/// A stretch of the stream that was not recorded.
struct Gap {
    std::chrono::system_clock::time_point at;  ///< when the loss began (UTC wall clock)
    std::chrono::milliseconds length{0};       ///< how long, measured or estimated
    std::string cause;                         ///< one of the gapcause values
    std::string detail;  ///< the failure as a sentence ("… answered HTTP 503 …"), when known
    /// For HLS: the media sequence numbers lost, when known.
    std::optional<std::int64_t> firstSequence;
    std::optional<std::int64_t> lastSequence;
};

/// An HLS variant as a recording tells of it.
struct VariantInfo {
    int width = 0;  ///< RESOLUTION; 0 when the master playlist gives none
    int height = 0;
    std::int64_t bandwidth = 0;  ///< BANDWIDTH, bit/s
    bool operator==(const VariantInfo&) const = default;
};

/// The HLS follower moved to another variant of the stream (to fit its link) between two
/// segments: the media goes on with the same timestamps, in the other variant's resolution.
struct VariantSwitch {
    /// When the media of the first segment of `to` starts on the wall clock (UTC).
    std::chrono::system_clock::time_point at;
    VariantInfo from;
    VariantInfo to;
    std::string why;  ///< one sentence: what the follower measured
    /// The media sequence number of the first segment of `to`.
    std::optional<std::int64_t> sequence;
};

/// What a chunk of media starts, so that a sink attached mid-stream can begin at a clean point.
enum class ChunkKind {
    Media,         ///< bytes continuing the stream (a progressive read)
    SegmentStart,  ///< a whole HLS segment: a player can start here
    Init,          ///< an initialization section (fMP4 EXT-X-MAP) every piece must start with
};

/// A piece of media as a source delivers it: a progressive read, or a whole HLS segment.
struct Chunk {
    std::string_view bytes;
    ChunkKind kind = ChunkKind::Media;
    /// The track it belongs to (see TrackInfo): 0 for the main stream.
    int track = 0;
    /// The media time it covers when the source knows it (an HLS segment's EXTINF), else 0.
    double mediaSeconds = 0;
    /// HLS: the segment's media sequence number and URI.
    std::optional<std::int64_t> sequence;
    std::string_view uri;
    /// HLS: when the segment's media ends on the wall clock (UTC): its EXT-X-PROGRAM-DATE-TIME
    /// plus its duration, else the moment it first appeared in the playlist.
    std::optional<std::chrono::system_clock::time_point> endsAt;
};

/// One part of a recording that is downloaded separately: the main stream (track 0: the chosen
/// HLS variant, or the whole progressive stream) and, for HLS, each audio rendition the main
/// stream lacks (tracks 1, 2, ...), which the final file holds as further audio streams.
struct TrackInfo {
    int index = 0;
    std::string name;      ///< EXT-X-MEDIA NAME; empty for the main stream
    std::string language;  ///< EXT-X-MEDIA LANGUAGE, when given
    bool operator==(const TrackInfo&) const = default;
};

/// Where an earlier run stopped in one track of an HLS stream, so that a restart goes on after
/// it rather than at the live edge.
struct HlsResumePoint {
    int track = 0;
    std::int64_t nextSequence = 0;  ///< the first segment not yet written
    std::string lastUri;            ///< the last segment written (to tell a restarted stream)
};

/// Receives one room's media. All calls for one sink come from one capture thread, in order,
/// never two at once; the one exception is the gap RoomCapture::detach() delivers on the
/// detaching thread when the sink leaves during an outage (still never concurrently).
class MediaSink {
public:
    virtual ~MediaSink() = default;
    /// The main stream (track 0) that follows is a (new) connection's, in `format`. Called
    /// before the first write and after every reconnect. The open piece (the files that share
    /// one timeline) goes on when `format` is concat-safe and the same as before and
    /// `newTimeline` is false; otherwise a new piece starts.
    virtual void beginPiece(const StreamFormat& format, bool newTimeline) = 0;
    /// Track `track.index` (1 or more) is in `format` from here on in the current piece. Called
    /// after beginPiece(), before the track's first write in the piece, and when its format
    /// changes.
    virtual void beginTrack(const TrackInfo& track, const StreamFormat& format) = 0;
    /// Media bytes of one track, in stream order. Throws core::OutputError when writing fails.
    virtual void write(const Chunk& chunk) = 0;
    /// A loss of stream was measured.
    virtual void gap(const Gap& gap) = 0;
    /// The source lost its connection and got it back (counted, not a loss by itself).
    virtual void reconnected() = 0;
    /// The main track goes on in another HLS variant from the next write on, in the same piece.
    virtual void variantSwitched(const VariantSwitch& change) = 0;
};

}  // namespace confcap::core
