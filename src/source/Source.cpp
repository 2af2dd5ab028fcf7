#include "confcap/source/Source.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "confcap/media/FormatDetection.h"
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

// The media type without parameters, lower case: "audio/mpeg; charset=x" -> "audio/mpeg".
std::string mediaType(std::string_view contentType) {
    std::string type = lower(contentType.substr(0, contentType.find(';')));
    while (!type.empty() && type.back() == ' ') {
        type.pop_back();
    }
    return type;
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
    if (auto format = media::formatFromBytes(firstBytes)) {
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
