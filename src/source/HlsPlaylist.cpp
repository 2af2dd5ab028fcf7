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
#include <utility>

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

namespace {

// What a playlist read so far says, and what applies to the next segment or variant.
struct ParseState {
    ParseState(const Poco::URI& baseUri, std::string_view url) : base(baseUri), baseUrl(url) {}

    std::string absolute(std::string_view uri) const { return resolve(base, baseUrl, uri); }

    const Poco::URI& base;
    std::string_view baseUrl;
    HlsPlaylist playlist;
    bool sawTarget = false;
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
};

void streamInf(ParseState& state, std::string_view value) {
    state.playlist.master = true;
    auto attrs = attributes(value);
    HlsVariant variant;
    variant.bandwidth = core::parseNumber<std::int64_t>(attrs["BANDWIDTH"]).value_or(0);
    variant.codecs = attrs["CODECS"];
    variant.audioGroup = attrs["AUDIO"];
    const std::string_view resolution = attrs["RESOLUTION"];
    const std::size_t x = resolution.find_first_of("xX");
    if (x != std::string_view::npos) {
        variant.width = core::parseNumber<int>(resolution.substr(0, x)).value_or(0);
        variant.height = core::parseNumber<int>(resolution.substr(x + 1)).value_or(0);
    }
    state.pendingVariant = variant;
}

void media(ParseState& state, std::string_view value) {
    state.playlist.master = true;
    auto attrs = attributes(value);
    HlsRendition rendition;
    rendition.type = core::upperCase(attrs["TYPE"]);
    rendition.groupId = attrs["GROUP-ID"];
    rendition.name = attrs["NAME"];
    rendition.language = attrs["LANGUAGE"];
    if (const auto uri = attrs.find("URI"); uri != attrs.end() && !uri->second.empty()) {
        rendition.uri = state.absolute(uri->second);
    }
    rendition.isDefault = core::upperCase(attrs["DEFAULT"]) == "YES";
    rendition.autoselect = core::upperCase(attrs["AUTOSELECT"]) == "YES";
    state.playlist.renditions.push_back(std::move(rendition));
}

void targetDuration(ParseState& state, std::string_view value) {
    const auto target = decimal(value);
    if (!target) {
        malformed(state.baseUrl, "bad EXT-X-TARGETDURATION \"" + std::string(value) + "\"");
    }
    state.playlist.targetDuration = static_cast<int>(*target + 0.999);
    state.sawTarget = true;
}

void mediaSequence(ParseState& state, std::string_view value) {
    const auto sequence = sequenceNumber(value);
    if (!sequence || state.sawSegmentTag) {
        malformed(state.baseUrl, "bad EXT-X-MEDIA-SEQUENCE \"" + std::string(value) + "\"");
    }
    state.playlist.mediaSequence = *sequence;
}

void discontinuitySequence(ParseState& state, std::string_view value) {
    const auto sequence = sequenceNumber(value);
    if (!sequence) {
        malformed(state.baseUrl, "bad EXT-X-DISCONTINUITY-SEQUENCE \"" + std::string(value) + "\"");
    }
    state.playlist.discontinuitySequence = *sequence;
    state.discontinuities = *sequence;
}

void extinf(ParseState& state, std::string_view value) {
    const std::size_t comma = value.find(',');
    state.pendingDuration = decimal(value.substr(0, comma));
    if (!state.pendingDuration) {
        malformed(state.baseUrl, "bad EXTINF \"" + std::string(value) + "\"");
    }
    state.pendingTitle = comma == std::string_view::npos
                             ? std::string()
                             : std::string(core::trimmed(value.substr(comma + 1)));
    state.sawSegmentTag = true;
}

void byteRangeTag(ParseState& state, std::string_view value) {
    byteRange(value, state.pendingLength, state.pendingOffset, state.previousRangeEnd,
              state.baseUrl);
}

void discontinuity(ParseState& state, std::string_view) {
    state.pendingDiscontinuity = true;
    if (state.discontinuities < kMaxSequence + std::int64_t{kMaxSegments}) {
        ++state.discontinuities;
    }
}

void programDateTime(ParseState& state, std::string_view value) {
    state.pendingDateTime = std::string(value);
}

void endList(ParseState& state, std::string_view) {
    state.playlist.endList = true;
}

void playlistType(ParseState& state, std::string_view value) {
    state.playlist.playlistType = core::upperCase(value);
}

void mapTag(ParseState& state, std::string_view value) {
    auto attrs = attributes(value);
    HlsMap map;
    map.uri = state.absolute(attrs["URI"]);
    if (const auto range = attrs.find("BYTERANGE"); range != attrs.end()) {
        byteRange(range->second, map.byteLength, map.byteOffset, 0, state.baseUrl);
    }
    state.map = map;
}

void keyTag(ParseState& state, std::string_view value) {
    auto attrs = attributes(value);
    const std::string method = core::upperCase(attrs["METHOD"]);
    if (method.empty() || method == "NONE") {
        state.key.reset();
    } else {
        const std::string& uri = attrs["URI"];
        state.key = HlsKey{method, uri.empty() ? std::string() : state.absolute(uri)};
    }
}

using TagHandler = void (*)(ParseState&, std::string_view value);

// The tags read; every other tag is ignored.
constexpr std::pair<std::string_view, TagHandler> kTagHandlers[] = {
    {"#EXT-X-STREAM-INF", streamInf},
    {"#EXT-X-MEDIA", media},
    {"#EXT-X-TARGETDURATION", targetDuration},
    {"#EXT-X-MEDIA-SEQUENCE", mediaSequence},
    {"#EXT-X-DISCONTINUITY-SEQUENCE", discontinuitySequence},
    {"#EXTINF", extinf},
    {"#EXT-X-BYTERANGE", byteRangeTag},
    {"#EXT-X-DISCONTINUITY", discontinuity},
    {"#EXT-X-PROGRAM-DATE-TIME", programDateTime},
    {"#EXT-X-ENDLIST", endList},
    {"#EXT-X-PLAYLIST-TYPE", playlistType},
    {"#EXT-X-MAP", mapTag},
    {"#EXT-X-KEY", keyTag},
};

void tagLine(ParseState& state, std::string_view line) {
    const std::size_t colon = line.find(':');
    const std::string_view tag = line.substr(0, colon);
    const std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    for (const auto& [name, handler] : kTagHandlers) {
        if (tag == name) {
            handler(state, value);
            return;
        }
    }
}

// A URI line: the variant its EXT-X-STREAM-INF announced, else a segment with what the tags
// before it said.
void uriLine(ParseState& state, std::string_view line) {
    if (state.pendingVariant) {
        state.pendingVariant->uri = state.absolute(line);
        state.playlist.variants.push_back(std::move(*state.pendingVariant));
        state.pendingVariant.reset();
        return;
    }
    if (!state.pendingDuration) {
        malformed(state.baseUrl, "the segment \"" + std::string(line) + "\" has no EXTINF");
    }
    auto& segments = state.playlist.segments;
    if (segments.size() >= kMaxSegments) {
        malformed(state.baseUrl,
                  "it lists more than " + std::to_string(kMaxSegments) + " segments");
    }
    HlsSegment segment;
    segment.sequence = state.playlist.mediaSequence + static_cast<std::int64_t>(segments.size());
    segment.duration = *state.pendingDuration;
    segment.title = std::move(state.pendingTitle);
    segment.uri = state.absolute(line);
    segment.byteLength = state.pendingLength;
    segment.byteOffset = state.pendingOffset;
    if (state.pendingLength) {
        state.previousRangeEnd = state.pendingOffset + *state.pendingLength;
    }
    segment.discontinuity = state.pendingDiscontinuity;
    segment.discontinuitySequence = state.discontinuities;
    segment.programDateTime = std::move(state.pendingDateTime);
    segment.map = state.map;
    segment.key = state.key;
    segments.push_back(std::move(segment));
    state.pendingDuration.reset();
    state.pendingTitle.clear();
    state.pendingLength.reset();
    state.pendingOffset = 0;
    state.pendingDiscontinuity = false;
    state.pendingDateTime.reset();
}

}  // namespace

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

    ParseState state(base, baseUrl);
    bool sawHeader = false;
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
        } else if (line[0] != '#') {
            uriLine(state, line);
        } else if (line.starts_with("#EXT")) {
            tagLine(state, line);
        }
    }
    if (!sawHeader) {
        throw core::SourceError(
            "The response from " + std::string(baseUrl) + " is not an HLS playlist (it is empty).",
            core::ErrorKind::Permanent);
    }
    if (!state.playlist.master && !state.sawTarget) {
        malformed(baseUrl, "EXT-X-TARGETDURATION is missing");
    }
    return std::move(state.playlist);
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
