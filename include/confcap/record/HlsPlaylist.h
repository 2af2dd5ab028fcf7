// HLS playlists (RFC 8216) as values: master playlists with their variants and media playlists
// with their segments, every URI resolved against the URL the playlist was fetched from. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace confcap::record {

/// One EXT-X-STREAM-INF entry of a master playlist.
struct HlsVariant {
    std::string uri;  ///< absolute
    std::int64_t bandwidth = 0;
    int width = 0;  ///< 0 when RESOLUTION is absent
    int height = 0;
    std::string codecs;
};

/// An EXT-X-KEY (only METHOD=NONE can be recorded).
struct HlsKey {
    std::string method;  ///< "NONE", "AES-128", "SAMPLE-AES", ...
    std::string uri;     ///< absolute; empty for NONE
};

/// An EXT-X-MAP: the initialization section (fMP4 init segment) of the segments it precedes.
struct HlsMap {
    std::string uri;  ///< absolute
    std::optional<std::uint64_t> byteLength;
    std::uint64_t byteOffset = 0;
    bool operator==(const HlsMap&) const = default;
};

/// One media segment.
struct HlsSegment {
    std::int64_t sequence = 0;  ///< media sequence number
    double duration = 0;        ///< EXTINF seconds
    std::string title;
    std::string uri;                             ///< absolute
    std::optional<std::uint64_t> byteLength;     ///< EXT-X-BYTERANGE
    std::uint64_t byteOffset = 0;                ///< where the range starts
    bool discontinuity = false;                  ///< EXT-X-DISCONTINUITY precedes it
    std::int64_t discontinuitySequence = 0;      ///< its discontinuity sequence number
    std::optional<std::string> programDateTime;  ///< EXT-X-PROGRAM-DATE-TIME, as written
    std::optional<HlsMap> map;                   ///< the EXT-X-MAP in force
    std::optional<HlsKey> key;                   ///< the EXT-X-KEY in force, unless NONE
};

/// A parsed playlist: a master playlist (`variants`) or a media playlist (`segments`).
struct HlsPlaylist {
    bool master = false;
    std::vector<HlsVariant> variants;

    int targetDuration = 0;  ///< seconds (EXT-X-TARGETDURATION)
    std::int64_t mediaSequence = 0;
    std::int64_t discontinuitySequence = 0;
    bool endList = false;
    std::string playlistType;  ///< "EVENT", "VOD" or empty
    std::vector<HlsSegment> segments;

    /// True when any segment is encrypted (an EXT-X-KEY with a METHOD other than NONE).
    bool encrypted() const noexcept;
    /// The first key method other than NONE, or empty.
    std::string encryptionMethod() const;
};

/// Parses a playlist fetched from `baseUrl` (the final URL after redirects). Tolerates CRLF,
/// a BOM, blank lines, comments and unknown tags. Throws core::SourceError (Permanent) naming
/// `baseUrl` when the text does not start with #EXTM3U, and when a media playlist lacks
/// EXT-X-TARGETDURATION or a segment lacks EXTINF. Numbers are read strictly (no sign, nan, inf
/// or trailing text); durations above 86400 s, sequence numbers above 2^53 and more than 2^20
/// segments are malformed.
HlsPlaylist parseHlsPlaylist(std::string_view text, std::string_view baseUrl);

/// The variant `selector` picks: "" / "best" / "max" → the highest BANDWIDTH; "min" → the
/// lowest; a number "0", "1", ... → that index in playlist order; "720p" → the highest bandwidth
/// of height 720; "1280x720" → that resolution. Throws core::UsageError naming the selector
/// and listing the variants when it matches none or is malformed; core::SourceError when
/// `variants` is empty.
const HlsVariant& chooseVariant(const std::vector<HlsVariant>& variants, std::string_view selector);

}  // namespace confcap::record
