// The index of a room's tape (see RoomTape): what the room's stream delivered, in order, with
// the wall-clock time of each event and where each chunk's bytes lie in the tape's files. One
// JSON object per line; this is its one writer and reader.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "confcap/core/Media.h"

namespace confcap::sink {

/// A piece of the tape begins: the main track's file, in `format`.
struct TapePiece {
    std::string id;  ///< the piece's name; its files are "<id>-t<track>.<extension>"
    core::StreamFormat format;
    bool newTimeline = false;
};

/// A further track (an audio rendition) is in `format` from here on in the current piece.
struct TapeTrack {
    core::TrackInfo track;
    core::StreamFormat format;
};

/// Media bytes of one track: `length` bytes at `offset` in the track's file of the piece, or in
/// `file` when the tape shares a talk's file for them.
struct TapeChunk {
    int track = 0;
    /// The name, in the tape's folder, of a talk's file the tape shares (a hard link to it):
    /// the bytes were written once, by the talk. Empty: the piece's own file of the track.
    std::string file;
    core::ChunkKind kind = core::ChunkKind::Media;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    double mediaSeconds = 0;
    std::optional<std::int64_t> sequence;
    std::string uri;
    std::optional<std::chrono::system_clock::time_point> endsAt;

    /// Where its media lies on the wall clock: HLS, [endsAt - mediaSeconds, endsAt]; else the
    /// moment it arrived (`at`), for both ends.
    std::chrono::system_clock::time_point mediaStart(
        std::chrono::system_clock::time_point at) const;
    std::chrono::system_clock::time_point mediaEnd(std::chrono::system_clock::time_point at) const;
};

/// The stream was lost for a while.
struct TapeGap {
    core::Gap gap;
};

/// The connection was lost and came back.
struct TapeReconnect {};

/// The main track moved to another HLS variant.
struct TapeVariant {
    core::VariantSwitch change;
};

/// One line of the index: what happened, and when (UTC).
struct TapeEvent {
    std::chrono::system_clock::time_point at;
    std::variant<TapePiece, TapeTrack, TapeChunk, TapeGap, TapeReconnect, TapeVariant> what;
};

/// The line for `event`: one JSON object without a line break, then "\n". Pure.
std::string tapeLine(const TapeEvent& event);

/// The event in `line`; none when it is not one (a line cut off when the process died, or
/// written by a newer version). Pure.
std::optional<TapeEvent> tapeEventFrom(std::string_view line);

/// A piece of a tape as it lies on disk.
struct TapeFile {
    std::filesystem::path index;  ///< "<id>.idx"
    std::vector<TapeEvent> events;
    /// The first event's time and the last one's.
    std::chrono::system_clock::time_point first;
    std::chrono::system_clock::time_point last;
};

/// The pieces in the tape folder `folder`, oldest first, each with its events; lines that do
/// not read as events are left out, and so are pieces without any. Empty when the folder does
/// not exist. Throws core::OutputError naming the folder when it cannot be read.
std::vector<TapeFile> readTape(const std::filesystem::path& folder);

/// The pieces in `folder` as readTape gives them, without their events: each piece's first time
/// comes from its index's first line and its last from the last line that reads as an event, so
/// a long tape is looked over in a few reads. Throws as readTape.
std::vector<TapeFile> readTapeBounds(const std::filesystem::path& folder);

/// The file that holds `track` of the piece `piece` in the tape folder `folder`.
std::filesystem::path tapeTrackFile(const std::filesystem::path& folder, const TapePiece& piece,
                                    int track, const core::StreamFormat& format);

}  // namespace confcap::sink
