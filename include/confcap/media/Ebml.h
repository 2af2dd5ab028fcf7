// EBML (WebM, Matroska) as bytes: variable-length integers, element headers, the ids of the
// elements that tell a stream's times, and the start of a block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "confcap/media/ElementStream.h"

namespace confcap::media {

/// Element ids, with their length markers as they stand in the stream.
inline constexpr std::uint64_t kEbmlHeaderId = 0x1A45DFA3;
inline constexpr std::uint64_t kEbmlSegment = 0x18538067;
inline constexpr std::uint64_t kEbmlInfo = 0x1549A966;
inline constexpr std::uint64_t kEbmlTimecodeScale = 0x2AD7B1;
inline constexpr std::uint64_t kEbmlCluster = 0x1F43B675;
inline constexpr std::uint64_t kEbmlTimecode = 0xE7;
inline constexpr std::uint64_t kEbmlSimpleBlock = 0xA3;
inline constexpr std::uint64_t kEbmlBlockGroup = 0xA0;
inline constexpr std::uint64_t kEbmlBlock = 0xA1;

/// The first bytes of an EBML document (the EBML header's id).
inline constexpr std::string_view kEbmlMagic = "\x1A\x45\xDF\xA3";

/// A variable-length integer: its value and its length in bytes (0: no integer starts with a
/// zero byte).
struct EbmlVint {
    std::uint64_t value = 0;
    std::size_t length = 0;
};

/// The variable-length integer at `at` of `bytes`, its length marker kept (ids) or taken off
/// (sizes, track numbers); nullopt when it needs more bytes. Pure.
std::optional<EbmlVint> ebmlVint(std::string_view bytes, std::size_t at, bool keepMarker) noexcept;

/// The element header at the start of `bytes`: id (at most 4 bytes), body size (unset: the
/// reserved "unknown" value, the element runs until its parent ends) and length. Pure.
ElementHeader ebmlHeader(std::string_view bytes) noexcept;

/// The value of an unsigned integer element's body. Pure.
std::uint64_t ebmlUnsigned(std::string_view body) noexcept;

/// Where a block lies in time: its track and its timecode relative to its cluster's.
struct EbmlBlockTime {
    std::uint64_t track = 0;
    std::int16_t relative = 0;
};
/// The track and relative timecode a SimpleBlock or Block body starts with, or nullopt when the
/// bytes are too few. Pure.
std::optional<EbmlBlockTime> ebmlBlockTime(std::string_view block) noexcept;

/// Where the first Cluster starts in `bytes` (npos: none), found by its id. Pure.
std::size_t ebmlClusterAt(std::string_view bytes) noexcept;

/// `size` as an 8-byte size field (0x01 and 7 bytes), for sizes up to 2^56 - 2. Pure.
std::string ebmlLongSize(std::uint64_t size);
/// An unsigned integer element of one-byte id `id` holding `value` in 8 bytes. Pure.
std::string ebmlLongUnsigned(std::uint8_t id, std::uint64_t value);

}  // namespace confcap::media
