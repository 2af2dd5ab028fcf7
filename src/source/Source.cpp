#include "confcap/source/Source.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "confcap/source/CommandSource.h"
#include "confcap/source/HlsSource.h"
#include "confcap/source/ProgressiveSource.h"

namespace confcap::source {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::uint8_t byteAt(std::string_view s, std::size_t i) {
    return static_cast<std::uint8_t>(s[i]);
}

// The media type without parameters, lower case: "audio/mpeg; charset=x" -> "audio/mpeg".
std::string mediaType(std::string_view contentType) {
    std::string type = lower(contentType.substr(0, contentType.find(';')));
    while (!type.empty() && type.back() == ' ') {
        type.pop_back();
    }
    return type;
}

// MPEG audio frame sync (11 bits set). Layer bits 00 is ADTS (AAC), anything else MP3.
std::optional<core::StreamFormat> fromFrameSync(std::string_view b) {
    if (b.size() < 2 || byteAt(b, 0) != 0xFF || (byteAt(b, 1) & 0xE0) != 0xE0) {
        return std::nullopt;
    }
    if ((byteAt(b, 1) & 0xF6) == 0xF0) {
        return core::StreamFormat{"aac", true};
    }
    if ((byteAt(b, 1) & 0x06) != 0) {
        return core::StreamFormat{"mp3", true};
    }
    return std::nullopt;
}

std::optional<core::StreamFormat> fromMagic(std::string_view b) {
    if (b.size() >= 4 && b.substr(0, 4) == "\x1A\x45\xDF\xA3") {
        const std::string_view head = b.substr(0, 64);
        if (head.find("matroska") != std::string_view::npos) {
            return core::StreamFormat{"mkv", false};
        }
        return core::StreamFormat{"webm", false};
    }
    if (b.size() >= 4 && b.substr(0, 4) == "OggS") {
        // Chained Ogg streams are valid Ogg: a reconnect's bytes may follow the earlier ones.
        return core::StreamFormat{"ogg", true};
    }
    if (b.size() >= 3 && b.substr(0, 3) == "FLV") {
        return core::StreamFormat{"flv", false};
    }
    if (b.size() >= 8) {
        const std::string_view box = b.substr(4, 4);
        if (box == "ftyp" || box == "styp" || box == "moof" || box == "moov") {
            return core::StreamFormat{"mp4", false};
        }
    }
    if (!b.empty() && byteAt(b, 0) == 0x47 && (b.size() <= 188 || byteAt(b, 188) == 0x47)) {
        return core::StreamFormat{"ts", true};
    }
    if (b.size() >= 10 && b.substr(0, 3) == "ID3") {
        // Skip the tag (syncsafe size) and look at the first frame when it is in view.
        const std::size_t size = (static_cast<std::size_t>(byteAt(b, 6) & 0x7F) << 21) |
                                 (static_cast<std::size_t>(byteAt(b, 7) & 0x7F) << 14) |
                                 (static_cast<std::size_t>(byteAt(b, 8) & 0x7F) << 7) |
                                 static_cast<std::size_t>(byteAt(b, 9) & 0x7F);
        const std::size_t frame = 10 + size + ((byteAt(b, 5) & 0x10) != 0 ? 10 : 0);
        if (frame < b.size()) {
            if (auto format = fromFrameSync(b.substr(frame))) {
                return format;
            }
        }
        return core::StreamFormat{"mp3", true};
    }
    return fromFrameSync(b);
}

std::optional<core::StreamFormat> fromContentType(std::string_view contentType) {
    const std::string type = mediaType(contentType);
    if (type == "video/mp2t" || type == "video/mpeg" || type == "video/mp2ts") {
        return core::StreamFormat{"ts", true};
    }
    if (type == "audio/mpeg" || type == "audio/mp3" || type == "audio/mpeg3") {
        return core::StreamFormat{"mp3", true};
    }
    if (type == "audio/aac" || type == "audio/aacp" || type == "audio/x-aac") {
        return core::StreamFormat{"aac", true};
    }
    if (type == "application/ogg" || type == "audio/ogg" || type == "video/ogg") {
        return core::StreamFormat{"ogg", true};
    }
    if (type == "video/webm" || type == "audio/webm") {
        return core::StreamFormat{"webm", false};
    }
    if (type == "video/x-matroska" || type == "audio/x-matroska") {
        return core::StreamFormat{"mkv", false};
    }
    if (type == "video/x-flv" || type == "video/flv") {
        return core::StreamFormat{"flv", false};
    }
    if (type == "video/mp4" || type == "audio/mp4" || type == "video/iso.segment") {
        return core::StreamFormat{"mp4", false};
    }
    return std::nullopt;
}

}  // namespace

core::StreamFormat detectFormat(std::string_view contentType, std::string_view firstBytes) {
    if (auto format = fromMagic(firstBytes)) {
        return *format;
    }
    if (auto format = fromContentType(contentType)) {
        return *format;
    }
    return core::StreamFormat{"bin", false};
}

bool looksLikeHlsPlaylist(std::string_view contentType, std::string_view firstBytes) {
    const std::string type = mediaType(contentType);
    if (type == "application/vnd.apple.mpegurl" || type == "application/x-mpegurl" ||
        type == "audio/mpegurl" || type == "audio/x-mpegurl") {
        return true;
    }
    if (firstBytes.substr(0, 3) == "\xEF\xBB\xBF") {
        firstBytes.remove_prefix(3);
    }
    return firstBytes.substr(0, 7) == "#EXTM3U";
}

std::unique_ptr<Source> makeSource(const std::string& url, const SourceOptions& options) {
    // A recorder that cannot record HLS leaves HLS streams to the native engine.
    if (options.recorder && !nativeInstead(options.recorder, url)) {
        return std::make_unique<CommandSource>(url, *options.recorder, options);
    }
    if (isHlsUrl(url)) {
        return std::make_unique<HlsSource>(url, options);
    }
    return std::make_unique<ProgressiveSource>(url, options);
}

bool isHlsUrl(std::string_view url) {
    std::string path;
    try {
        path = lower(Poco::URI(std::string(url)).getPath());
    } catch (const Poco::Exception&) {
        path = lower(url.substr(0, url.find_first_of("?#")));
    }
    return endsWith(path, ".m3u8") || endsWith(path, ".m3u");
}

}  // namespace confcap::source
