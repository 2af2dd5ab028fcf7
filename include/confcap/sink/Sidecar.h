// The JSON sidecar beside a published recording: what the talk was, what the recording received
// (bytes, media time, gaps, audio renditions) and how it ended, as the text of "<name>.json",
// and the one reader and writer of that document for everyone who reads or amends it.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/sink/FileCheck.h"
#include "confcap/sink/FileTags.h"
#include "confcap/sink/PartSet.h"
#include "confcap/sink/Recording.h"
#include "confcap/sink/TalkMetadata.h"

namespace confcap::sink {

/// HLS: the segments of one published piece's track, with the size of its file.
struct SidecarSegments {
    std::size_t piece = 0;  ///< 1 for the first piece published
    int track = 0;
    std::uint64_t bytes = 0;
    std::vector<SegmentMark> list;
    bool operator==(const SidecarSegments&) const = default;
};

/// What a sidecar tells, gathered once the recording's files are placed.
struct SidecarInput {
    TalkMetadata talk;
    std::string streamUrl;
    std::chrono::system_clock::time_point windowStart;  ///< UTC, padding included
    std::chrono::system_clock::time_point windowEnd;    ///< UTC, padding included
    std::filesystem::path outDir;  ///< the output folder, which the files are named relative to
    /// The files placed (Published::files, full paths), the final file first; not empty.
    std::vector<std::filesystem::path> files;
    std::optional<FileCheck> fileCheck;           ///< of the final file, as placed
    bool merged = false;                          ///< one file holds every kept piece
    Container container = Container::AsRecorded;  ///< the container asked for (--container)
    bool tagged = false;                          ///< the final file holds the talk's tags
    std::size_t chapters = 0;                     ///< the chapters written into it
    std::string finishError;    ///< why remuxing or tagging failed; empty when it did not
    std::filesystem::path nfo;  ///< the .nfo written beside it (full path); empty when none
    std::optional<std::chrono::system_clock::time_point> firstData;  ///< UTC
    /// The recording's pieces: their further tracks name the audio renditions.
    std::vector<PartPiece> pieces;
    /// HLS: the segments of the pieces published, in order, with the size of each track's
    /// file (the sidecar's "segments"; none when empty).
    using PieceSegments = SidecarSegments;
    std::vector<PieceSegments> segments;
    SinkStatus counters;         ///< bytes, covered time, gaps, reconnects, dropped bytes
    std::size_t keptPieces = 0;  ///< the pieces published
    core::Outcome outcome = core::Outcome::Recorded;
    std::string reason;
    std::vector<std::string> notes;
    std::string finalizedBecause;  ///< why the recording ended ("window ended")
};

/// An audio rendition a sidecar names.
struct SidecarRendition {
    std::string name;
    std::string language;
    bool operator==(const SidecarRendition&) const = default;
};

/// How the final file was finished.
struct SidecarContainer {
    std::string requested;  ///< the container asked for (sink::toString(Container))
    std::string format;     ///< the final file's extension, without the dot
    bool tagged = false;
    std::uint64_t chapters = 0;
    std::string error;  ///< why remuxing or tagging failed; empty when it did not
    bool operator==(const SidecarContainer&) const = default;
};

/// How long the disk was full while the talk recorded.
struct SidecarDiskFull {
    int episodes = 0;
    double seconds = 0;
    std::string firstFailure;
    bool operator==(const SidecarDiskFull&) const = default;
};

/// The sidecar as a document: every field it holds, as values. The fields it does not know
/// (what the hook runner, the health checks and a merge of replicas add: "onRecorded",
/// "health", "thumbnails", "replicas") are kept as they are, in their order.
struct Sidecar {
    /// The version this build writes ("version"); a sidecar without one is read as this one.
    static constexpr int kVersion = 1;

    TalkMetadata talk;
    std::string stream;
    std::optional<core::Instant> windowStart;  ///< UTC, padding included
    std::optional<core::Instant> windowEnd;
    /// The first byte's arrival after the window's start (negative: before it); none when no
    /// data came.
    std::optional<std::chrono::milliseconds> firstDataOffset;
    /// The files, relative to the output folder, the final file first ("file" is that one).
    std::vector<std::string> files;
    std::optional<FileCheck> fileCheck;  ///< of the final file, as published ("fileCheck")
    std::vector<SidecarRendition> audioRenditions;
    std::uint64_t bytes = 0;
    double scheduledSeconds = 0;
    double coveredSeconds = 0;
    bool coveredFromMedia = false;  ///< covered time read from the media's own timestamps
    /// The gaps; a merged file's gaps have no wall time (their `at` is the epoch).
    std::vector<RecordedGap> gaps;
    std::vector<RecordedSwitch> variants;
    std::vector<SidecarSegments> segments;
    int reconnects = 0;
    std::uint64_t pieces = 0;
    bool merged = false;
    SidecarContainer container;
    std::string nfo;  ///< relative to the output folder; empty when none
    std::uint64_t droppedBytes = 0;
    std::optional<SidecarDiskFull> diskFull;
    std::string outcome;  ///< core::toString of the outcome
    std::string reason;
    std::string finalizedBecause;
    std::vector<std::string> notes;
    std::vector<std::pair<std::string, Poco::Dynamic::Var>> others;

    /// When the recording received its first media (UTC): the window's start plus the first
    /// data's offset, rounded to the second; none without both.
    std::optional<core::Instant> firstData() const;
    /// The final file's path relative to the output folder; empty when none.
    std::string file() const { return files.empty() ? std::string() : files.front(); }
    /// Sets the top-level `fields` (adding or replacing each), as the JSON would have them.
    /// Throws Poco::Exception when a known field gets a value of the wrong kind.
    void amend(const std::vector<std::pair<std::string, Poco::Dynamic::Var>>& fields);
};

/// The sidecar a recording's values make. Pure.
Sidecar sidecarOf(const SidecarInput& input);

/// The sidecar as a JSON object, in the order sidecarText() describes, "version" first and
/// the fields it does not know last. Pure.
Poco::JSON::Object::Ptr toJson(const Sidecar& sidecar);

/// The sidecar from such an object (of any version up to Sidecar::kVersion); missing fields
/// stay empty. Throws Poco::Exception when a field holds the wrong kind of value. Pure.
Sidecar sidecarFrom(const Poco::JSON::Object& object);

/// The text of the sidecar: one JSON object, indented by 2, with a newline at the end. Pure.
std::string sidecarText(const Sidecar& sidecar);

/// The sidecar in the file at `path`. Throws core::OutputError naming the file when it cannot
/// be read, is not a JSON object or a field holds the wrong kind of value. Any thread.
Sidecar readSidecar(const std::filesystem::path& path);

/// The sidecar in the JSON file at `path`, or none when that is JSON of something else (an
/// object without a "talk" object and an "outcome"). Throws core::OutputError as readSidecar.
std::optional<Sidecar> sidecarIn(const std::filesystem::path& path);

/// The sidecar's text (sidecarText(sidecarOf(input))): one JSON object, indented by 2, with a
/// newline at the end. It opens with "version" (Sidecar::kVersion). Instants are
/// RFC 3339 UTC to the second; lengths and offsets are in seconds, to the millisecond. Fields
/// that do not apply (no first data, no audio renditions, no dropped bytes, a gap's unknown
/// detail or sequence numbers, "variants" when the HLS variant never changed) are left out.
/// "variants" lists each move to another variant as {at, offsetSeconds, from, to, why}, a
/// variant as {resolution "WxH" when known, bandwidth in bit/s}. "segments" lists, per published
/// piece and track, the HLS segments its file holds as [sequence, byte offset in the piece's file,
/// seconds]; when the final file joins single-track MPEG-TS pieces byte by byte, a segment's offset
/// in it is the bytes of the earlier pieces plus its offset. Pure.
std::string sidecarText(const SidecarInput& input);

/// Sets the top-level `fields` of the published sidecar at `sidecar` (Sidecar::amend), keeping
/// the rest as it is; the file is replaced whole (core::replaceFile). Amendments from
/// different threads of this process are made one after the other. Throws core::OutputError
/// naming the file when it cannot be read, is not a JSON object, or cannot be written. Any
/// thread.
void amendSidecar(const std::filesystem::path& sidecar,
                  const std::vector<std::pair<std::string, Poco::Dynamic::Var>>& fields);

/// When the recording in the sidecar at `sidecar` received its first media (UTC):
/// Sidecar::firstData, or the window's start when it tells no first data; none when the file
/// cannot be read or names no window. Any thread.
std::optional<core::Instant> sidecarFirstData(const std::filesystem::path& sidecar);

}  // namespace confcap::sink
