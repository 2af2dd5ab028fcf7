// HLS playlists (RFC 8216) as values: master playlists with their variants and media playlists
// with their segments, every URI resolved against the URL the playlist was fetched from. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace confcap::source {

/// One EXT-X-STREAM-INF entry of a master playlist.
struct HlsVariant {
    std::string uri;  ///< absolute
    std::int64_t bandwidth = 0;
    int width = 0;  ///< 0 when RESOLUTION is absent
    int height = 0;
    std::string codecs;
    std::string audioGroup;  ///< the AUDIO attribute: the GROUP-ID of its audio renditions
};

/// One EXT-X-MEDIA entry of a master playlist: an alternative rendition (another language, a
/// translation) that players may play instead of, or beside, what the variant carries.
struct HlsRendition {
    std::string type;  ///< "AUDIO", "VIDEO", "SUBTITLES", "CLOSED-CAPTIONS"
    std::string groupId;
    std::string name;
    std::string language;
    std::string uri;  ///< absolute; empty when the variant itself carries this rendition
    bool isDefault = false;
    bool autoselect = false;
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
    std::vector<HlsRendition> renditions;

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

/// Playlist seconds (EXTINF, EXT-X-TARGETDURATION) as milliseconds: rounded to the nearest, and
/// held within 0..86400 s. Pure.
std::chrono::milliseconds hlsMillis(double seconds) noexcept;

/// A segment a source delivered, remembered to tell a playlist that goes on from a new one.
struct HlsDelivered {
    std::int64_t sequence = 0;
    std::string uri;
    std::optional<std::string> programDateTime;
};

/// How a freshly read media playlist relates to the segments delivered before.
enum class HlsContinuity {
    Continues,    ///< the same timeline (possibly with segments that rolled out meanwhile)
    Stale,        ///< an older state of the same playlist (a lagging server or cache): ignore it
    NewTimeline,  ///< the stream started again: follow it from its first segment
};

/// Compares `playlist` with `recent` (the last segments delivered from it, oldest first) and the
/// discontinuity sequence of the playlist read before: a listed sequence number whose segment has
/// another URI path or another EXT-X-PROGRAM-DATE-TIME (by more than a target duration), a lower
/// EXT-X-DISCONTINUITY-SEQUENCE, sequence numbers below what was delivered without the same
/// segments, or a jump ahead that `since` (the time since the last delivery) cannot explain all
/// mean a new timeline. A playlist that lags behind by at most its own length with the same
/// segments is Stale. Pure.
HlsContinuity continuityOf(const HlsPlaylist& playlist, const std::vector<HlsDelivered>& recent,
                           std::int64_t previousDiscontinuitySequence,
                           std::chrono::milliseconds since);

}  // namespace confcap::source
