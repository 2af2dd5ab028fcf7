#include "confcap/source/HlsPlaylist.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

#include "confcap/core/Error.h"
#include "confcap/core/Time.h"

#include "confcap/core/Text.h"

namespace confcap::source {

namespace {

// Bounds that keep every sum and product of playlist numbers, here and in the source that reads
// them (milliseconds of a target duration, sequence + segment count + 1), far from overflowing.
constexpr double kMaxSeconds = 86400;
constexpr std::int64_t kMaxSequence = std::int64_t{1} << 53;
constexpr std::size_t kMaxSegments = 1 << 20;

// An attribute list (RFC 8216 4.2): NAME=value pairs separated by commas; quoted strings may hold
// commas. Names are upper-cased; quotes are removed.
std::map<std::string, std::string> attributes(std::string_view list) {
    std::map<std::string, std::string> result;
    std::size_t at = 0;
    while (at < list.size()) {
        const std::size_t equals = list.find('=', at);
        if (equals == std::string_view::npos) {
            break;
        }
        const std::string name = core::upperCase(core::trimmed(list.substr(at, equals - at)));
        std::size_t valueStart = equals + 1;
        std::string value;
        if (valueStart < list.size() && list[valueStart] == '"') {
            const std::size_t close = list.find('"', valueStart + 1);
            const std::size_t end = close == std::string_view::npos ? list.size() : close;
            value = std::string(list.substr(valueStart + 1, end - valueStart - 1));
            const std::size_t comma = list.find(',', end);
            at = comma == std::string_view::npos ? list.size() : comma + 1;
        } else {
            const std::size_t comma = list.find(',', valueStart);
            const std::size_t end = comma == std::string_view::npos ? list.size() : comma;
            value = std::string(core::trimmed(list.substr(valueStart, end - valueStart)));
            at = comma == std::string_view::npos ? list.size() : comma + 1;
        }
        result[name] = value;
    }
    return result;
}

// A decimal-floating-point (RFC 8216 4.2) of at most kMaxSeconds: digits with an optional
// fraction and exponent. No sign, nan, inf, hex or trailing text ("6NCE").
std::optional<double> decimal(std::string_view s) {
    s = core::trimmed(s);
    if (s.empty() || (!std::isdigit(static_cast<unsigned char>(s.front())) && s.front() != '.')) {
        return std::nullopt;
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value) ||
        value > kMaxSeconds) {
        return std::nullopt;
    }
    return value;
}

// A media or discontinuity sequence number: a decimal-integer of at most kMaxSequence.
std::optional<std::int64_t> sequenceNumber(std::string_view s) {
    const auto value = core::parseNumber<std::int64_t>(s);
    if (!value || *value < 0 || *value > kMaxSequence) {
        return std::nullopt;
    }
    return value;
}

[[noreturn]] void malformed(std::string_view baseUrl, const std::string& what) {
    throw core::SourceError(
        "The HLS playlist " + std::string(baseUrl) + " is malformed: " + what + ".",
        core::ErrorKind::Permanent);
}

std::string resolve(const Poco::URI& base, std::string_view baseUrl, std::string_view uri) {
    uri = core::trimmed(uri);
    try {
        if (uri.starts_with("//")) {
            // A network-path reference, which Poco::URI::resolve does not handle.
            return Poco::URI(base.getScheme() + ":" + std::string(uri)).toString();
        }
        Poco::URI resolved(base);
        resolved.resolve(std::string(uri));
        return resolved.toString();
    } catch (const Poco::Exception& e) {
        malformed(baseUrl, "the URI \"" + std::string(uri) + "\" cannot be resolved (" +
                               e.displayText() + ")");
    }
}

// "<length>[@<offset>]"; a missing offset continues after the previous range of the same file.
void byteRange(std::string_view text, std::optional<std::uint64_t>& length, std::uint64_t& offset,
               std::uint64_t previousEnd, std::string_view baseUrl) {
    const std::size_t at = text.find('@');
    const auto parsedLength = core::parseNumber<std::uint64_t>(text.substr(0, at));
    if (!parsedLength) {
        malformed(baseUrl, "bad byte range \"" + std::string(text) + "\"");
    }
    length = parsedLength;
    offset = previousEnd;
    if (at != std::string_view::npos) {
        const auto parsedOffset = core::parseNumber<std::uint64_t>(text.substr(at + 1));
        if (!parsedOffset) {
            malformed(baseUrl, "bad byte range \"" + std::string(text) + "\"");
        }
        offset = *parsedOffset;
    }
    if (*length > std::numeric_limits<std::uint64_t>::max() - offset) {
        malformed(baseUrl, "bad byte range \"" + std::string(text) + "\"");
    }
}

}  // namespace

bool HlsPlaylist::encrypted() const noexcept {
    return std::any_of(segments.begin(), segments.end(),
                       [](const HlsSegment& s) { return s.key.has_value(); });
}

std::string HlsPlaylist::encryptionMethod() const {
    for (const auto& s : segments) {
        if (s.key) {
            return s.key->method;
        }
    }
    return {};
}

std::chrono::milliseconds hlsMillis(double seconds) noexcept {
    return std::chrono::milliseconds(std::llround(std::clamp(seconds, 0.0, kMaxSeconds) * 1000.0));
}

HlsPlaylist parseHlsPlaylist(std::string_view text, std::string_view baseUrl) {
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.remove_prefix(3);
    }
    Poco::URI base;
    try {
        base = Poco::URI(std::string(baseUrl));
    } catch (const Poco::Exception& e) {
        malformed(baseUrl, "its URL is invalid (" + e.displayText() + ")");
    }

    HlsPlaylist playlist;
    bool sawHeader = false;
    bool sawTarget = false;
    // State that applies to the next segment or variant.
    std::optional<HlsVariant> pendingVariant;
    std::optional<double> pendingDuration;
    std::string pendingTitle;
    std::optional<std::uint64_t> pendingLength;
    std::uint64_t pendingOffset = 0;
    std::uint64_t previousRangeEnd = 0;
    bool pendingDiscontinuity = false;
    std::optional<std::string> pendingDateTime;
    std::optional<HlsMap> map;
    std::optional<HlsKey> key;
    std::int64_t discontinuities = 0;
    bool sawSegmentTag = false;

    std::size_t lineStart = 0;
    while (lineStart <= text.size()) {
        std::size_t lineEnd = text.find('\n', lineStart);
        if (lineEnd == std::string_view::npos) {
            lineEnd = text.size();
        }
        const std::string_view line = core::trimmed(text.substr(lineStart, lineEnd - lineStart));
        lineStart = lineEnd + 1;
        if (line.empty()) {
            continue;
        }
        if (!sawHeader) {
            if (line != "#EXTM3U") {
                throw core::SourceError(
                    "The response from " + std::string(baseUrl) +
                        " is not an HLS playlist (it does not start with #EXTM3U).",
                    core::ErrorKind::Permanent);
            }
            sawHeader = true;
            continue;
        }
        if (line[0] == '#') {
            if (!line.starts_with("#EXT")) {
                continue;
            }
            const std::size_t colon = line.find(':');
            const std::string_view tag = line.substr(0, colon);
            const std::string_view value =
                colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
            if (tag == "#EXT-X-STREAM-INF") {
                playlist.master = true;
                auto attrs = attributes(value);
                HlsVariant variant;
                variant.bandwidth = core::parseNumber<std::int64_t>(attrs["BANDWIDTH"]).value_or(0);
                variant.codecs = attrs["CODECS"];
                variant.audioGroup = attrs["AUDIO"];
                const std::string& resolution = attrs["RESOLUTION"];
                const std::size_t x = resolution.find_first_of("xX");
                if (x != std::string::npos) {
                    variant.width =
                        core::parseNumber<int>(std::string_view(resolution).substr(0, x))
                            .value_or(0);
                    variant.height =
                        core::parseNumber<int>(std::string_view(resolution).substr(x + 1))
                            .value_or(0);
                }
                pendingVariant = variant;
            } else if (tag == "#EXT-X-MEDIA") {
                playlist.master = true;
                auto attrs = attributes(value);
                HlsRendition rendition;
                rendition.type = core::upperCase(attrs["TYPE"]);
                rendition.groupId = attrs["GROUP-ID"];
                rendition.name = attrs["NAME"];
                rendition.language = attrs["LANGUAGE"];
                if (const auto uri = attrs.find("URI");
                    uri != attrs.end() && !uri->second.empty()) {
                    rendition.uri = resolve(base, baseUrl, uri->second);
                }
                rendition.isDefault = core::upperCase(attrs["DEFAULT"]) == "YES";
                rendition.autoselect = core::upperCase(attrs["AUTOSELECT"]) == "YES";
                playlist.renditions.push_back(std::move(rendition));
            } else if (tag == "#EXT-X-TARGETDURATION") {
                const auto target = decimal(value);
                if (!target) {
                    malformed(baseUrl, "bad EXT-X-TARGETDURATION \"" + std::string(value) + "\"");
                }
                playlist.targetDuration = static_cast<int>(*target + 0.999);
                sawTarget = true;
            } else if (tag == "#EXT-X-MEDIA-SEQUENCE") {
                const auto sequence = sequenceNumber(value);
                if (!sequence || sawSegmentTag) {
                    malformed(baseUrl, "bad EXT-X-MEDIA-SEQUENCE \"" + std::string(value) + "\"");
                }
                playlist.mediaSequence = *sequence;
            } else if (tag == "#EXT-X-DISCONTINUITY-SEQUENCE") {
                const auto sequence = sequenceNumber(value);
                if (!sequence) {
                    malformed(baseUrl,
                              "bad EXT-X-DISCONTINUITY-SEQUENCE \"" + std::string(value) + "\"");
                }
                playlist.discontinuitySequence = *sequence;
                discontinuities = *sequence;
            } else if (tag == "#EXTINF") {
                const std::size_t comma = value.find(',');
                pendingDuration = decimal(value.substr(0, comma));
                if (!pendingDuration) {
                    malformed(baseUrl, "bad EXTINF \"" + std::string(value) + "\"");
                }
                pendingTitle = comma == std::string_view::npos
                                   ? std::string()
                                   : std::string(core::trimmed(value.substr(comma + 1)));
                sawSegmentTag = true;
            } else if (tag == "#EXT-X-BYTERANGE") {
                byteRange(value, pendingLength, pendingOffset, previousRangeEnd, baseUrl);
            } else if (tag == "#EXT-X-DISCONTINUITY") {
                pendingDiscontinuity = true;
                if (discontinuities < kMaxSequence + std::int64_t{kMaxSegments}) {
                    ++discontinuities;
                }
            } else if (tag == "#EXT-X-PROGRAM-DATE-TIME") {
                pendingDateTime = std::string(value);
            } else if (tag == "#EXT-X-ENDLIST") {
                playlist.endList = true;
            } else if (tag == "#EXT-X-PLAYLIST-TYPE") {
                playlist.playlistType = core::upperCase(value);
            } else if (tag == "#EXT-X-MAP") {
                auto attrs = attributes(value);
                HlsMap m;
                m.uri = resolve(base, baseUrl, attrs["URI"]);
                if (const auto range = attrs.find("BYTERANGE"); range != attrs.end()) {
                    byteRange(range->second, m.byteLength, m.byteOffset, 0, baseUrl);
                }
                map = m;
            } else if (tag == "#EXT-X-KEY") {
                auto attrs = attributes(value);
                const std::string method = core::upperCase(attrs["METHOD"]);
                if (method.empty() || method == "NONE") {
                    key.reset();
                } else {
                    const std::string& uri = attrs["URI"];
                    key = HlsKey{method, uri.empty() ? std::string() : resolve(base, baseUrl, uri)};
                }
            }
            continue;
        }
        // A URI line.
        if (pendingVariant) {
            pendingVariant->uri = resolve(base, baseUrl, line);
            playlist.variants.push_back(std::move(*pendingVariant));
            pendingVariant.reset();
            continue;
        }
        if (!pendingDuration) {
            malformed(baseUrl, "the segment \"" + std::string(line) + "\" has no EXTINF");
        }
        if (playlist.segments.size() >= kMaxSegments) {
            malformed(baseUrl, "it lists more than " + std::to_string(kMaxSegments) + " segments");
        }
        HlsSegment segment;
        segment.sequence =
            playlist.mediaSequence + static_cast<std::int64_t>(playlist.segments.size());
        segment.duration = *pendingDuration;
        segment.title = std::move(pendingTitle);
        segment.uri = resolve(base, baseUrl, line);
        segment.byteLength = pendingLength;
        segment.byteOffset = pendingOffset;
        if (pendingLength) {
            previousRangeEnd = pendingOffset + *pendingLength;
        }
        segment.discontinuity = pendingDiscontinuity;
        segment.discontinuitySequence = discontinuities;
        segment.programDateTime = std::move(pendingDateTime);
        segment.map = map;
        segment.key = key;
        playlist.segments.push_back(std::move(segment));
        pendingDuration.reset();
        pendingTitle.clear();
        pendingLength.reset();
        pendingOffset = 0;
        pendingDiscontinuity = false;
        pendingDateTime.reset();
    }
    if (!sawHeader) {
        throw core::SourceError(
            "The response from " + std::string(baseUrl) + " is not an HLS playlist (it is empty).",
            core::ErrorKind::Permanent);
    }
    if (!playlist.master && !sawTarget) {
        malformed(baseUrl, "EXT-X-TARGETDURATION is missing");
    }
    return playlist;
}

namespace {

// A URI without its query and fragment: signed URLs change their tokens on every reload.
std::string_view uriPath(std::string_view uri) {
    return uri.substr(0, uri.find_first_of("?#"));
}

}  // namespace

HlsContinuity continuityOf(const HlsPlaylist& playlist, const std::vector<HlsDelivered>& recent,
                           std::int64_t previousDiscontinuitySequence,
                           std::chrono::milliseconds since) {
    if (recent.empty() || playlist.segments.empty()) {
        return HlsContinuity::Continues;
    }
    if (playlist.discontinuitySequence < previousDiscontinuitySequence) {
        return HlsContinuity::NewTimeline;
    }
    const std::int64_t first = playlist.segments.front().sequence;
    const std::int64_t newest = playlist.segments.back().sequence;
    const auto listed = static_cast<std::int64_t>(playlist.segments.size());
    const std::int64_t last = recent.back().sequence;
    const double target = std::max(1, playlist.targetDuration);
    bool overlap = false;
    for (const auto& delivered : recent) {
        if (delivered.sequence < first || delivered.sequence > newest) {
            continue;
        }
        const auto& segment =
            playlist.segments[static_cast<std::size_t>(delivered.sequence - first)];
        if (uriPath(segment.uri) != uriPath(delivered.uri)) {
            return HlsContinuity::NewTimeline;
        }
        if (segment.programDateTime && delivered.programDateTime) {
            const auto a = core::parseIsoInstant(*segment.programDateTime);
            const auto b = core::parseIsoInstant(*delivered.programDateTime);
            if (a && b &&
                std::chrono::abs(*a - *b) > std::chrono::seconds(static_cast<long>(target) + 1)) {
                return HlsContinuity::NewTimeline;
            }
        }
        overlap = true;
    }
    if (newest < last) {
        // Behind what was delivered: the same segments a little behind is a lagging copy.
        return overlap && newest >= last - listed ? HlsContinuity::Stale
                                                  : HlsContinuity::NewTimeline;
    }
    if (!overlap) {
        // Ahead with nothing in common: as far as the time since the last delivery explains
        // (an outage longer than the playlist), or a stream numbered anew.
        const double explained = std::chrono::duration<double>(since).count() / target;
        if (static_cast<double>(first - last) > explained + static_cast<double>(listed) + 3.0) {
            return HlsContinuity::NewTimeline;
        }
    }
    return HlsContinuity::Continues;
}

}  // namespace confcap::source
