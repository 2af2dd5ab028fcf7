// The part list "<stem>.part.json" as a value: what a recording is (stream, window, talk) and
// what it has received so far (its pieces and their files, HLS segments and resume point,
// gaps, counters), with its JSON text both ways. The files themselves are sink::PartSet's.
#pragma once

#include <Poco/JSON/Array.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/sink/Recording.h"
#include "confcap/sink/TalkMetadata.h"

namespace confcap::sink {

/// Where one whole HLS segment lies in a track's file: its media sequence number, the byte
/// offset at which it begins, and the media time it holds (its EXTINF).
struct SegmentMark {
    std::int64_t sequence = 0;
    std::uint64_t offset = 0;
    double seconds = 0;
    bool operator==(const SegmentMark&) const = default;
};

/// A segment list as JSON: an array of [sequence, offset, seconds] arrays (the part list's and
/// the sidecar's form). Pure.
Poco::JSON::Array::Ptr segmentsJson(const std::vector<SegmentMark>& segments);
/// The segment list from that form; entries that are not such arrays are left out. Throws
/// Poco::Exception when an entry holds something else than numbers.
std::vector<SegmentMark> segmentsFrom(const Poco::JSON::Array& array);

/// One track's file in a piece.
struct PartTrack {
    int track = 0;     ///< 0: the main stream; 1, 2, ...: audio renditions
    std::string file;  ///< the file's name inside the recording's folder
    core::StreamFormat format;
    std::string name;      ///< the rendition's NAME, for a further track
    std::string language;  ///< the rendition's LANGUAGE, when given
    /// HLS: the whole segments the file holds, in the order they were written.
    std::vector<SegmentMark> segments;
};

/// One piece: the files that share one timeline. Its first track is the main one.
struct PartPiece {
    std::vector<PartTrack> tracks;
    bool newTimeline = false;  ///< its timestamps do not continue the piece before
};

/// Everything the part list keeps: what the recording is, and what it has received so far.
struct PartList {
    std::string streamUrl;
    std::chrono::system_clock::time_point windowStart;  ///< UTC, padding included
    std::chrono::system_clock::time_point windowEnd;
    std::uint64_t minBytes = 0;
    std::chrono::seconds minDuration{0};
    TalkMetadata talk;
    std::vector<PartPiece> pieces;
    /// The counters so far (its `bytes`, `pieces` and `state` are not kept: the files tell).
    SinkStatus progress;
    std::optional<std::chrono::system_clock::time_point> firstData;  ///< UTC
    std::optional<std::chrono::system_clock::time_point> lastData;
    std::vector<std::string> notes;
    /// HLS: per track, the next segment to write, so a later run goes on from there.
    std::vector<core::HlsResumePoint> resume;
    /// The mark the lines of the part log that continue this list carry (PartLogLine).
    std::string logMark;
};

/// What one write added to a recording after its part list was last saved: a line of the part
/// log "<stem>.part.log", appended after each write, so that the whole list is written again
/// only now and then. A reader applies the lines that carry the list's logMark (applyLogLine):
/// the lines written before the list was saved carry an earlier mark.
struct PartLogLine {
    std::string mark;  ///< the logMark of the list it continues
    std::string file;  ///< the track's file in the list's last piece
    int track = 0;
    std::optional<SegmentMark> segment;          ///< HLS: the whole segment the write added
    std::optional<core::HlsResumePoint> resume;  ///< HLS: where the track goes on
    std::chrono::system_clock::time_point lastData;
    double coveredSeconds = 0;
    bool measured = false;
};

/// The part log's line for `line`: one JSON object without a line break, then "\n". Pure.
std::string partLogText(const PartLogLine& line);
/// The line in `text`; none when it is not one (cut off when the process died). Pure.
std::optional<PartLogLine> partLogLineFrom(std::string_view text);
/// Adds what `line` tells to `list` when it carries the list's mark and names a track of its
/// last piece. Returns whether it did. Pure.
bool applyLogLine(PartList& list, const PartLogLine& line);

/// The version of the part list this build writes (the "confcapPartSet" field). Version 1
/// lists kept one file per piece; version 2 keeps tracks per piece. Both are read.
inline constexpr int kPartListVersion = 2;

/// The part list's text for `list` of the recording `stem` (relative to the output folder,
/// without extension): one JSON object, indented by 2, with a newline at the end. Pure.
std::string partListText(const PartList& list, const std::filesystem::path& stem);

/// The part list in `text`, as written; its pieces are not checked against the disk. None when
/// the text is JSON but not a part list of confcap (no "confcapPartSet", or a version this build
/// does not know). Throws std::invalid_argument saying what is wrong when the text is not JSON
/// or a field holds the wrong kind of value. Pure.
std::optional<PartList> partListFrom(std::string_view text);

}  // namespace confcap::sink
