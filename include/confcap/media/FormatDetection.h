// Which container a stream is, from its first bytes: the magic numbers and frame syncs of
// MPEG-TS, MP3, ADTS AAC, Ogg, WebM/Matroska, FLV and MP4.
#pragma once

#include <optional>
#include <string_view>

#include "confcap/core/Media.h"

namespace confcap::media {

/// The container `firstBytes` (a stream's start, a few hundred bytes are plenty) begin, by
/// magic numbers: MPEG-TS sync 0x47 (a packet apart), an ID3v2 tag or MPEG audio frame sync for
/// MP3, ADTS for AAC, "OggS", EBML 1A45DFA3 (doctype matroska: mkv, else webm), "FLV", an ISO
/// BMFF "ftyp"/"styp"/"moof"/"moov" box. nullopt when none fits. Pure.
std::optional<core::StreamFormat> formatFromBytes(std::string_view firstBytes);

/// Where in `bytes` (a chunk of kind `kind` of a stream in `format`) a file can begin so that a
/// player can start there: the chunk's start for HLS segments, initialization sections and
/// formats whose decoders find their own way in (MP3, AAC); the first MPEG-TS packet; the next
/// WebM/Matroska cluster. npos when the chunk holds no such point. Pure.
std::size_t fileStartOffset(const core::StreamFormat& format, std::string_view bytes,
                            core::ChunkKind kind);

}  // namespace confcap::media
