// What downloads a room's stream: a Source runs one connection at a time on the capture's thread
// and hands the media to a SourceOutput (the RoomCapture, which fans it out to the talk sinks and
// owns the reconnect loop). Also: telling a stream's container from its first bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "confcap/record/MediaSink.h"
#include "confcap/record/RecorderCommand.h"

namespace confcap::record {

/// How a connection (one Source::run) picked up the stream.
struct Resume {
    /// True for the source's first connection (nothing to resume).
    bool first = true;
    /// HLS: the media sequence number of the first segment this connection delivers.
    std::optional<std::int64_t> sequence;
    /// HLS: the segments that rolled out of the playlist before they could be fetched, and the
    /// media time they held, estimated from the target duration. Unset when nothing was lost.
    std::optional<std::int64_t> lostFirst;
    std::optional<std::int64_t> lostLast;
    std::chrono::milliseconds lostLength{0};
    /// HLS: EXT-X-PROGRAM-DATE-TIME of the first segment, when the playlist gives it.
    std::optional<std::string> programDateTime;
};

/// What a chunk of media starts, so that a sink attached mid-stream can begin at a clean point.
enum class ChunkKind {
    Media,         ///< bytes continuing the stream (a progressive read)
    SegmentStart,  ///< a whole HLS segment: a player can start here
    Init,          ///< an initialization section (fMP4 EXT-X-MAP) every piece must start with
};

/// Receives what a source delivers. Called on the thread that runs the source.
class SourceOutput {
public:
    virtual ~SourceOutput() = default;
    /// A connection delivers media in `format`; the writes that follow belong to it. Called
    /// once per connection, before its first write, and again when the format changes.
    virtual void connected(const StreamFormat& format, const Resume& resume) = 0;
    /// Media bytes in stream order. `mediaSeconds` as in MediaSink::write. May throw
    /// core::OutputError, which ends the connection.
    virtual void write(std::string_view bytes, double mediaSeconds, ChunkKind kind) = 0;
    /// Media lost while connected (HLS segments that rolled out between two reloads).
    virtual void lost(const Gap& gap) = 0;
    /// Something worth a log line that is not a failure (a discontinuity, the stream ended).
    virtual void notice(const std::string& message) = 0;
};

/// Settings shared by the sources.
struct SourceOptions {
    /// HLS: which variant of a master playlist (see chooseVariant); the highest bandwidth when
    /// empty.
    std::string variant;
    /// No data for this long is a stall (a transient failure). HLS also uses it as the limit for
    /// a playlist that stops growing (at least three target durations).
    std::chrono::milliseconds stallTimeout{20'000};
    std::chrono::milliseconds connectTimeout{10'000};
    /// Extra trusted CA certificates (PEM), for HTTPS streams; none when empty.
    std::string caFile;
    /// HLS: how many of the newest segments a live stream starts with.
    int liveEdgeSegments = 3;
    /// Progressive: bytes asked for per read.
    std::size_t readSize = 256 * 1024;
    /// The external program that downloads the stream (a CommandSource); the native engine when
    /// unset.
    std::optional<RecorderCommand> recorder;
    /// External recorders: the folder for the named pipe each run writes into (the output
    /// folder's .confcap); the current folder when empty.
    std::filesystem::path pipeFolder;
    /// External recorders: how long a program may take to exit after SIGTERM before SIGKILL.
    std::chrono::milliseconds terminateGrace{5'000};
};

/// Downloads one stream. One thread calls run() (repeatedly: one call per connection); any
/// thread may call stop().
class Source {
public:
    virtual ~Source() = default;
    /// Connects and delivers the stream to `out` until it fails, ends or stop() is called.
    /// Returns normally when the stream ended (HLS EXT-X-ENDLIST with every segment delivered)
    /// or was stopped. Throws core::Error (FetchError, SourceError, OutputError) on failure,
    /// Transient when another attempt may help. State that outlives a connection (the next HLS
    /// segment to fetch) is kept between calls.
    virtual void run(SourceOutput& out) = 0;
    /// Makes a running run() return or throw promptly (closing its connection), and every later
    /// one return at once. Thread-safe.
    virtual void stop() noexcept = 0;
    /// The stream's URL as given.
    virtual const std::string& url() const noexcept = 0;
};

/// The source for `url`: a CommandSource when `options.recorder` is set, else an HlsSource when its
/// path ends in ".m3u8" or ".m3u" (any case), else a ProgressiveSource (which still switches to HLS
/// when the server answers with a playlist).
std::unique_ptr<Source> makeSource(const std::string& url, const SourceOptions& options);

/// The container of a stream from its first bytes (magic numbers: MPEG-TS sync 0x47, ID3 and
/// MPEG audio frame sync for MP3, ADTS for AAC, "OggS", EBML 1A45DFA3 with doctype webm or
/// matroska, "FLV", an ISO BMFF "ftyp"/"styp"/"moof" box) and, when they say nothing,
/// `contentType`. Unknown streams give {"bin", false}. Pure.
StreamFormat detectFormat(std::string_view contentType, std::string_view firstBytes);

/// True when `contentType` or the first bytes say the response is an HLS playlist. Pure.
bool looksLikeHlsPlaylist(std::string_view contentType, std::string_view firstBytes);

}  // namespace confcap::record
