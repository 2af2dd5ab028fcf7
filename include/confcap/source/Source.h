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
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/source/RecorderCommand.h"
#include "confcap/source/VariantFitter.h"

namespace confcap::source {

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
    /// HLS: when the first segment's media starts on the wall clock (UTC; see Chunk::endsAt).
    std::optional<std::chrono::system_clock::time_point> mediaStart;
    /// The stream came back on a new timeline (HLS: its sequence numbers started again, its
    /// segments were renamed, its discontinuity sequence moved back): its timestamps do not
    /// continue the earlier ones.
    bool newTimeline = false;
};

/// Receives what a source delivers. Called on the thread that runs the source.
class SourceOutput {
public:
    virtual ~SourceOutput() = default;
    /// A connection delivers the main stream (track 0) in `format`; the writes that follow
    /// belong to it. Called once per connection, before its first write, and again when the
    /// format changes or the stream starts a new timeline (`resume.newTimeline`).
    virtual void connected(const core::StreamFormat& format, const Resume& resume) = 0;
    /// A further track (index >= 1) delivers `format` from here on. Called after connected(),
    /// before the track's first write on this connection, and again when its format changes.
    virtual void beginTrack(const core::TrackInfo& track, const core::StreamFormat& format) = 0;
    /// Media bytes in stream order, per track. May throw core::OutputError, which ends the
    /// connection.
    virtual void write(const core::Chunk& chunk) = 0;
    /// Media lost while connected (HLS segments that rolled out between two reloads).
    virtual void lost(const core::Gap& gap) = 0;
    /// Something worth a log line that is not a failure (a discontinuity, the stream ended).
    virtual void notice(const std::string& message) = 0;
    /// HLS: the main track goes on in another variant from its next write on, with the same
    /// timestamps: the piece goes on unless a connected() follows (another initialization
    /// section). Told after notice() has said so for the log.
    virtual void variantSwitched(const core::VariantSwitch& change) = 0;
};

/// Settings shared by the sources.
struct SourceOptions {
    /// HLS: which variant of a master playlist (see chooseVariant), followed throughout. When
    /// empty, the follower starts with the highest bandwidth and fits the variant to the link
    /// (see VariantFitter).
    std::string variant;
    /// HLS: the figures of fitting the variant to the link (the minute of room before a step
    /// up, the headroom, the hold after a move).
    FitterSettings fitter;
    /// HLS: which audio renditions to record beside the variant (see chooseAudio): "" for the
    /// default one, a NAME or LANGUAGE, or "all".
    std::string audio;
    /// HLS: where an earlier run stopped; the live edge when empty.
    std::vector<core::HlsResumePoint> resumeAt;
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
    /// External recorders: their HOME and XDG folders (what they keep for themselves goes
    /// there); the user's own when empty.
    std::filesystem::path recorderHome;
    /// External recorders: how long a program may take to exit after SIGTERM before SIGKILL.
    std::chrono::milliseconds terminateGrace{5'000};
};

/// How a run() that did not throw ended.
enum class RunEnd {
    Stopped,  ///< stop() was called
    /// A live stream stopped by itself (an HLS playlist that was live shows EXT-X-ENDLIST): it
    /// may go on, so a capture keeps trying inside its window.
    Paused,
    /// The stream is a finished recording: a VOD playlist, a playlist that had already ended
    /// when this source first read it, or a progressive resource delivered up to its announced
    /// length. Every later run() delivers nothing new.
    Finished,
};

/// Downloads one stream. One thread calls run() (repeatedly: one call per connection); any
/// thread may call stop().
class Source {
public:
    virtual ~Source() = default;
    /// Connects and delivers the stream to `out` until it fails, ends or stop() is called, and
    /// says how it ended. Throws core::Error (FetchError, SourceError, OutputError) on failure;
    /// its kind says whether waiting can help. State that outlives a connection (the next HLS
    /// segment to fetch) is kept between calls, so no media is delivered twice.
    virtual RunEnd run(SourceOutput& out) = 0;
    /// Makes a running run() return or throw promptly (closing its connection), and every later
    /// one return at once. Thread-safe.
    virtual void stop() noexcept = 0;
    /// The stream's URL as given.
    virtual const std::string& url() const noexcept = 0;
};

/// The source for `url`: a CommandSource when `options.recorder` is set (unless it cannot record
/// the HLS `url`: see nativeInstead), else an HlsSource when its path ends in ".m3u8" or ".m3u"
/// (any case), else a ProgressiveSource (which still switches to HLS when the server answers with
/// a playlist).
std::unique_ptr<Source> makeSource(const std::string& url, const SourceOptions& options);

/// True when the path of `url` ends in ".m3u8" or ".m3u" (any case): an HLS playlist. Pure.
bool isHlsUrl(std::string_view url);

/// How many first bytes of a stream detectFormat needs to tell its format: two MPEG-TS packets,
/// an ID3 tag's header.
inline constexpr std::size_t kSniffBytes = 512;

/// The container of a stream from its first bytes (magic numbers: MPEG-TS sync 0x47, ID3 and
/// MPEG audio frame sync for MP3, ADTS for AAC, "OggS", EBML 1A45DFA3 with doctype webm or
/// matroska, "FLV", an ISO BMFF "ftyp"/"styp"/"moof" box) and, when they say nothing,
/// `contentType`. Unknown streams give {"bin", false}. Pure.
core::StreamFormat detectFormat(std::string_view contentType, std::string_view firstBytes);

/// True when `contentType` or the first bytes say the response is an HLS playlist. Pure.
bool looksLikeHlsPlaylist(std::string_view contentType, std::string_view firstBytes);

}  // namespace confcap::source
