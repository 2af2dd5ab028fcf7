// MP4 (ISO BMFF) as bytes: box headers, the boxes directly inside a stretch of bytes, and the
// fields of the boxes that tell a fragmented stream's tracks and times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "confcap/media/ElementStream.h"

namespace confcap::media {

/// A box type as the number its four characters make: mp4Type("moov"). Pure.
constexpr std::uint32_t mp4Type(const char (&name)[5]) noexcept {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(name[0])) << 24) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(name[1])) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(name[2])) << 8) |
           static_cast<unsigned char>(name[3]);
}

/// The box header at the start of `bytes`: type, body size (unset for size 0, "to the end of
/// the stream") and length (8, or 16 with a 64-bit size). Bad when the size is smaller than the
/// header. Pure.
ElementHeader mp4BoxHeader(std::string_view bytes) noexcept;

/// A box inside a byte string.
struct Mp4Box {
    std::uint32_t type = 0;
    std::size_t start = 0;   ///< offset of its header in the bytes walked
    std::size_t header = 8;  ///< length of its header: 8, or 16 with a 64-bit size
    std::size_t size = 0;    ///< header included
    /// Its body, inside `bytes` (the bytes it was found in).
    std::string_view body(std::string_view bytes) const noexcept {
        return bytes.substr(start + header, size - header);
    }
};

/// The boxes one after another in [from, to) of `bytes` (to: at most the end), with offsets in
/// `bytes`; a box of size 0 runs to `to`. Stops at the first box that does not fit. Pure.
std::vector<Mp4Box> mp4Boxes(std::string_view bytes, std::size_t from = 0,
                             std::size_t to = std::string_view::npos);
/// The boxes directly inside `box` of `bytes`. Pure.
std::vector<Mp4Box> mp4Children(std::string_view bytes, const Mp4Box& box);

/// Where a number sits in a box body: offset and width in bytes.
struct Mp4Field {
    std::size_t at = 0;
    std::size_t width = 4;
};

/// The track id of a track header (tkhd body), or nullopt when the body is empty. Pure.
std::optional<std::uint64_t> mp4TrackId(std::string_view tkhd) noexcept;
/// The timescale (ticks per second) of a media header (mdhd body), or nullopt when the body is
/// empty. Pure.
std::optional<std::uint64_t> mp4Timescale(std::string_view mdhd) noexcept;

/// A track's default sample duration in its fragments, from the movie's trex box.
struct Mp4TrackDefaults {
    std::uint64_t track = 0;
    std::uint64_t sampleDuration = 0;
};
/// The defaults of a track extends box (trex body), or nullopt when it is too short. Pure.
std::optional<Mp4TrackDefaults> mp4TrackExtends(std::string_view trex) noexcept;

/// The track of a track fragment header (tfhd body) and the sample duration it sets (unset:
/// the trex default holds), or nullopt when it is too short. Pure.
struct Mp4FragmentTrack {
    std::uint64_t track = 0;
    std::optional<std::uint64_t> sampleDuration;
};
std::optional<Mp4FragmentTrack> mp4FragmentTrack(std::string_view tfhd) noexcept;

/// Where the base media decode time sits in a track fragment decode time box (tfdt body): 4 or
/// 8 bytes by the box's version. Pure.
Mp4Field mp4DecodeTimeField(std::string_view tfdt) noexcept;
/// The base media decode time of a tfdt body, in the track's timescale, or nullopt when the
/// body is empty. Pure.
std::optional<std::uint64_t> mp4DecodeTime(std::string_view tfdt) noexcept;

/// The ticks a track run (trun body) lasts: its samples' own durations, or `count` times
/// `defaultDuration` when it carries none; 0 when too short. Pure.
std::uint64_t mp4RunDuration(std::string_view trun, std::uint64_t defaultDuration) noexcept;

/// Where the fragment sequence number sits in a movie fragment header (mfhd body). Pure.
Mp4Field mp4SequenceField() noexcept;
/// The timescale of a segment index (sidx body). Pure.
std::uint64_t mp4IndexTimescale(std::string_view sidx) noexcept;
/// Where the earliest presentation time sits in a sidx body: 4 or 8 bytes by its version. Pure.
Mp4Field mp4IndexTimeField(std::string_view sidx) noexcept;

}  // namespace confcap::media
