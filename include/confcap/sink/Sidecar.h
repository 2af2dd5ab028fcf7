// The JSON sidecar beside a published recording: what the talk was, what the recording received
// (bytes, media time, gaps, audio renditions) and how it ended, as the text of "<name>.json".
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
#include "confcap/sink/FileTags.h"
#include "confcap/sink/PartSet.h"
#include "confcap/sink/Recording.h"
#include "confcap/sink/TalkMetadata.h"

namespace confcap::sink {

/// What a sidecar tells, gathered once the recording's files are placed.
struct SidecarInput {
    TalkMetadata talk;
    std::string streamUrl;
    std::chrono::system_clock::time_point windowStart;  ///< UTC, padding included
    std::chrono::system_clock::time_point windowEnd;    ///< UTC, padding included
    std::filesystem::path outDir;  ///< the output folder, which the files are named relative to
    /// The files placed (Published::files, full paths), the final file first; not empty.
    std::vector<std::filesystem::path> files;
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
    struct PieceSegments {
        std::size_t piece = 0;  ///< 1 for the first piece published
        int track = 0;
        std::uint64_t bytes = 0;
        std::vector<SegmentMark> list;
    };
    std::vector<PieceSegments> segments;
    SinkStatus counters;         ///< bytes, covered time, gaps, reconnects, dropped bytes
    std::size_t keptPieces = 0;  ///< the pieces published
    core::Outcome outcome = core::Outcome::Recorded;
    std::string reason;
    std::vector<std::string> notes;
    std::string finalizedBecause;  ///< why the recording ended ("window ended")
};

/// The sidecar's text: one JSON object, indented by 2, with a newline at the end. Instants are
/// RFC 3339 UTC to the second; lengths and offsets are in seconds, to the millisecond. Fields
/// that do not apply (no first data, no audio renditions, no dropped bytes, a gap's unknown
/// detail or sequence numbers, "variants" when the HLS variant never changed) are left out.
/// "variants" lists each move to another variant as {at, offsetSeconds, from, to, why}, a
/// variant as {resolution "WxH" when known, bandwidth in bit/s}. "segments" lists, per published
/// piece and track, the HLS segments its file holds as [sequence, byte offset in the piece's file,
/// seconds]; when the final file joins single-track MPEG-TS pieces byte by byte, a segment's offset
/// in it is the bytes of the earlier pieces plus its offset. Pure.
std::string sidecarText(const SidecarInput& input);

/// Sets the top-level `fields` of the published sidecar at `sidecar` (adding or replacing each),
/// keeping the rest as it is; the file is replaced whole (core::replaceFile). Amendments from
/// different threads of this process are made one after the other. Throws core::OutputError
/// naming the file when it cannot be read, is not a JSON object, or cannot be written. Any
/// thread.
void amendSidecar(const std::filesystem::path& sidecar,
                  const std::vector<std::pair<std::string, Poco::Dynamic::Var>>& fields);

/// When the recording in the sidecar at `sidecar` received its first media (UTC): the window's
/// start plus "firstDataOffsetSeconds", or the window's start without it; none when the file
/// cannot be read or names no window. Any thread.
std::optional<core::Instant> sidecarFirstData(const std::filesystem::path& sidecar);

}  // namespace confcap::sink
