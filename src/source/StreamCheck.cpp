#include "confcap/source/StreamCheck.h"

#include <algorithm>
#include <exception>
#include <memory>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/fetch/HttpClient.h"
#include "confcap/fetch/HttpStream.h"
#include "confcap/source/HlsPlaylist.h"
#include "confcap/source/HlsVariantChoice.h"
#include "confcap/source/Source.h"

namespace confcap::source {

namespace {

using State = StreamCheck::State;

// The check reads the answer in pieces of this size and judges a stream that is no playlist from
// what its first reads bring (at least a kilobyte): more than kSniffBytes, so that an ID3 tag
// carrying cover art still shows the audio frame behind it that tells MP3 from AAC.
constexpr std::size_t kCheckReadBytes = 16 * 1024;
// A playlist is small; a larger "playlist" is something else.
constexpr std::size_t kMaxPlaylistBytes = 4 * 1024 * 1024;

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

StreamCheck fromError(const core::FetchError& e) {
    using Cause = core::FetchError::Cause;
    switch (e.cause()) {
        case Cause::Http: {
            const std::string status = "HTTP " + std::to_string(e.httpStatus());
            if (e.httpStatus() == 404 || e.httpStatus() == 410) {
                return {State::NotLive, "not live yet (" + status + ")"};
            }
            return {State::Failed, status};
        }
        case Cause::Certificate:
            return {State::Failed, "TLS: certificate not trusted"};
        case Cause::Refused:
            return {State::Failed, "unreachable (connection refused)"};
        case Cause::HostNotFound:
            return {State::Failed, "unreachable (host name not found)"};
        case Cause::Timeout:
            return {State::Failed, "unreachable (no answer in time)"};
        case Cause::Reset:
            return {State::Failed, "unreachable (connection reset)"};
        case Cause::Other:
            break;
    }
    return {State::Failed, core::clause(e.what())};
}

fetch::HttpRequest requestFor(const std::string& url, const StreamCheckOptions& options) {
    fetch::HttpRequest request;
    request.url = url;
    request.connectTimeout = options.timeout;
    request.readTimeout = options.timeout;
    request.maxBodyBytes = kMaxPlaylistBytes;
    return request;
}

std::string resolution(const HlsVariant& v) {
    return v.width > 0 && v.height > 0 ? std::to_string(v.width) + "x" + std::to_string(v.height)
                                       : std::string();
}

/// A media playlist's state: live with segments, ended, or a recording.
StreamCheck mediaState(const HlsPlaylist& media, const std::string& what) {
    if (media.playlistType == "VOD") {
        return {State::NotLive, "a recording, not live (" + what + ", VOD)"};
    }
    if (media.endList) {
        return {State::NotLive, "not live (" + what + ", the playlist has ended)"};
    }
    if (media.segments.empty()) {
        return {State::NotLive, "not live yet (" + what + ", no segments)"};
    }
    return {State::Live, "live (" + what + ")"};
}

StreamCheck checkHls(fetch::HttpClient& client, const std::string& text,
                     const std::string& finalUrl, const StreamCheckOptions& options) {
    const HlsPlaylist playlist = parseHlsPlaylist(text, finalUrl);
    if (!playlist.master) {
        return mediaState(playlist,
                          "HLS, " + plural(playlist.segments.size(), "segment", "segments"));
    }
    if (playlist.variants.empty()) {
        return {State::Failed, "not a stream (a master playlist without variants)"};
    }
    // The variant a recording would follow.
    const HlsVariant* best = nullptr;
    try {
        best = &chooseVariant(playlist.variants, options.variant);
    } catch (const core::Error&) {
        best = &chooseVariant(playlist.variants, "");
    }
    std::string what = "HLS, " + plural(playlist.variants.size(), "variant", "variants");
    if (const auto size = resolution(*best); !size.empty()) {
        what += ", " + size;
    }
    const auto audio = std::count_if(playlist.renditions.begin(), playlist.renditions.end(),
                                     [](const HlsRendition& r) { return r.type == "AUDIO"; });
    if (audio > 0) {
        what +=
            ", " + plural(static_cast<std::size_t>(audio), "audio rendition", "audio renditions");
    }
    StreamCheck check;
    try {
        const auto variant = client.get(requestFor(best->uri, options));
        check = mediaState(parseHlsPlaylist(variant.body, variant.finalUrl), what);
    } catch (const core::FetchError& e) {
        check = fromError(e);
        check.summary += " (the variant playlist; the master lists " + what + ")";
    }
    check.bandwidth = best->bandwidth;
    return check;
}

}  // namespace

const char* toString(StreamCheck::State state) noexcept {
    switch (state) {
        case State::Live:
            return "live";
        case State::NotLive:
            return "not live";
        case State::Failed:
            return "failed";
    }
    return "failed";
}

StreamCheck checkStream(const std::string& url, const StreamCheckOptions& options) {
    try {
        fetch::HttpClient client(fetch::HttpClient::Options{options.caFile, {}});
        auto stream = client.open(requestFor(url, options));
        const std::string contentType = stream->headers().get("Content-Type").value_or("");
        std::string head;
        std::string buffer(kCheckReadBytes, '\0');
        while (head.size() < kCheckReadBytes) {
            const std::size_t n = stream->read(buffer.data(), buffer.size());
            if (n == 0) {
                break;
            }
            head.append(buffer.data(), n);
            if (!looksLikeHlsPlaylist(contentType, head) && head.size() >= 1024) {
                break;
            }
        }
        if (looksLikeHlsPlaylist(contentType, head)) {
            while (head.size() < kMaxPlaylistBytes) {
                const std::size_t n = stream->read(buffer.data(), buffer.size());
                if (n == 0) {
                    break;
                }
                head.append(buffer.data(), n);
            }
            const std::string finalUrl = stream->finalUrl();
            stream->abort();
            stream.reset();
            return checkHls(client, head, finalUrl, options);
        }
        stream->abort();
        if (head.empty()) {
            return {State::NotLive, "not live (the server sent no data)"};
        }
        const auto format = detectFormat(contentType, head);
        if (format.extension == "bin") {
            return {State::Failed,
                    "not a stream the recorder knows (" +
                        (contentType.empty() ? std::string("no type") : contentType) + ")"};
        }
        return {State::Live, "live (progressive " + format.extension + ")"};
    } catch (const core::FetchError& e) {
        return fromError(e);
    } catch (const std::exception& e) {
        return {State::Failed, "not a stream (" + core::clause(e.what()) + ")"};
    }
}

}  // namespace confcap::source
