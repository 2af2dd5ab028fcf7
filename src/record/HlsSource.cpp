#include "confcap/record/HlsSource.h"

#include <algorithm>
#include <chrono>

#include "confcap/core/Error.h"
#include "confcap/fetch/HttpClient.h"

namespace confcap::record {

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kPlaylistLimit = 16 * 1024 * 1024;
// A listed segment the server refuses this many times in a row is given up as lost.
constexpr int kSegmentAttempts = 3;

std::string seconds(milliseconds d) {
    return std::to_string((d.count() + 500) / 1000) + " s";
}

}  // namespace

/// What one run() (one connection) has done so far.
struct HlsSource::Connection {
    bool connected = false;  // connected() was called
    Resume resume;           // handed to connected() with the first segment
    std::optional<HlsMap> pieceMap;
    std::int64_t newest = -1;  // the newest segment listed at the last reload
    SteadyClock::time_point grew = SteadyClock::now();
    std::string variantNotice;
};

HlsSource::HlsSource(std::string url, SourceOptions options)
    : url_(std::move(url)), options_(std::move(options)) {
    fetch::HttpClient::Options clientOptions;
    clientOptions.caFile = options_.caFile;
    client_ = std::make_unique<fetch::HttpClient>(clientOptions);
}

HlsSource::~HlsSource() = default;

void HlsSource::stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    wake_.notify_all();
    client_->abort();
}

bool HlsSource::waitFor(SteadyClock::time_point until) {
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, until, [&] { return stopped_; });
    return !stopped_;
}

std::string HlsSource::fetch(const std::string& url, std::optional<std::uint64_t> length,
                             std::uint64_t offset, std::string* contentType) {
    fetch::HttpRequest request;
    request.url = url;
    request.connectTimeout = options_.connectTimeout;
    request.readTimeout = options_.stallTimeout;
    if (length) {
        request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" +
                                                  std::to_string(offset + *length - 1));
    }
    auto response = client_->get(request);
    if (contentType != nullptr) {
        *contentType = response.headers.get("Content-Type").value_or("");
    }
    return std::move(response.body);
}

HlsPlaylist HlsSource::loadPlaylist() {
    const std::string& target = mediaUrl_.empty() ? url_ : mediaUrl_;
    fetch::HttpRequest request;
    request.url = target;
    request.connectTimeout = options_.connectTimeout;
    request.readTimeout = options_.stallTimeout;
    request.maxBodyBytes = kPlaylistLimit;
    auto response = client_->get(request);
    HlsPlaylist playlist = parseHlsPlaylist(response.body, response.finalUrl);
    if (!playlist.master) {
        if (mediaUrl_.empty()) {
            mediaUrl_ = url_;
        }
        return playlist;
    }
    if (!mediaUrl_.empty()) {
        throw core::SourceError(
            "The media playlist " + mediaUrl_ + " turned into a master playlist.",
            core::ErrorKind::Permanent);
    }
    mediaUrl_ = chooseVariant(playlist.variants, options_.variant).uri;
    request.url = mediaUrl_;
    response = client_->get(request);
    playlist = parseHlsPlaylist(response.body, response.finalUrl);
    if (playlist.master) {
        throw core::SourceError("The variant playlist " + mediaUrl_ +
                                    " is itself a master playlist, which is not supported.",
                                core::ErrorKind::Permanent);
    }
    return playlist;
}

void HlsSource::run(SourceOutput& out) {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) {
            return;
        }
    }
    Connection connection;
    connection.resume.first = !delivered_;
    const bool chooseVariantNow = mediaUrl_.empty();

    auto reportLost = [&](std::int64_t first, std::int64_t last, milliseconds length,
                          const std::string& cause) {
        if (!connection.connected) {
            // Told with the first segment this connection delivers.
            auto& r = connection.resume;
            r.lostFirst = r.lostFirst ? std::min(*r.lostFirst, first) : first;
            r.lostLast = r.lostLast ? std::max(*r.lostLast, last) : last;
            r.lostLength += length;
            return;
        }
        Gap gap;
        gap.at = std::chrono::system_clock::now();
        gap.length = length;
        gap.cause = cause;
        gap.firstSequence = first;
        gap.lastSequence = last;
        out.lost(gap);
    };

    for (;;) {
        const auto loadStart = SteadyClock::now();
        const HlsPlaylist playlist = loadPlaylist();
        if (chooseVariantNow && connection.variantNotice.empty() && mediaUrl_ != url_) {
            connection.variantNotice = "Following the variant " + mediaUrl_ + ".";
            out.notice(connection.variantNotice);
        }
        if (playlist.encrypted()) {
            const std::string method = playlist.encryptionMethod();
            throw core::SourceError("encrypted HLS (" + method + ") is not supported: " +
                                        mediaUrl_ + " uses EXT-X-KEY METHOD=" + method + ".",
                                    core::ErrorKind::Permanent);
        }
        const milliseconds target{1000 * std::max(1, playlist.targetDuration)};
        bool changed = false;
        if (!playlist.segments.empty()) {
            const std::int64_t first = playlist.segments.front().sequence;
            const std::int64_t newest = playlist.segments.back().sequence;
            const auto listed = static_cast<std::int64_t>(playlist.segments.size());
            changed = newest != connection.newest;
            if (changed) {
                connection.newest = newest;
                connection.grew = SteadyClock::now();
            }
            if (!next_) {
                const bool vod = playlist.endList && playlist.playlistType == "VOD";
                next_ = vod ? first : std::max(first, newest - options_.liveEdgeSegments + 1);
            } else if (newest + 1 < *next_ - listed) {
                out.notice("The media sequence numbers of " + mediaUrl_ + " started again at " +
                           std::to_string(first) + "; following the new numbering.");
                next_ = std::max(first, newest - options_.liveEdgeSegments + 1);
            }
            if (*next_ < first) {
                const std::int64_t count = first - *next_;
                reportLost(*next_, first - 1, target * count,
                           std::to_string(count) +
                               " segments rolled out of the playlist before they were fetched");
                next_ = first;
            }
            for (const HlsSegment& segment : playlist.segments) {
                if (segment.sequence < *next_) {
                    continue;
                }
                {
                    std::lock_guard lock(mutex_);
                    if (stopped_) {
                        return;
                    }
                }
                try {
                    deliver(out, connection, segment);
                } catch (const core::FetchError& e) {
                    // A listed segment the server refuses (404, 403, ...) may have rolled out a
                    // moment ago: try again from a fresh playlist, and give it up after a few.
                    if (e.transient() || e.httpStatus() == 0) {
                        throw;
                    }
                    failures_ = failingSequence_ == segment.sequence ? failures_ + 1 : 1;
                    failingSequence_ = segment.sequence;
                    if (failures_ < kSegmentAttempts) {
                        throw core::SourceError(e.what(), core::ErrorKind::Transient);
                    }
                    reportLost(segment.sequence, segment.sequence,
                               milliseconds(static_cast<long>(segment.duration * 1000)),
                               "segment " + std::to_string(segment.sequence) + " failed: HTTP " +
                                   std::to_string(e.httpStatus()));
                }
                failures_ = 0;
                failingSequence_ = -1;
                next_ = segment.sequence + 1;
            }
        }
        if (playlist.endList &&
            (!next_ || playlist.segments.empty() || *next_ > playlist.segments.back().sequence)) {
            out.notice("The stream " + mediaUrl_ + " ended (EXT-X-ENDLIST).");
            return;
        }
        const milliseconds stallLimit = std::max(options_.stallTimeout, target * 3);
        const auto still = SteadyClock::now() - connection.grew;
        if (still > stallLimit) {
            throw core::SourceError("The playlist " + mediaUrl_ + " has not grown for " +
                                        seconds(std::chrono::duration_cast<milliseconds>(still)) +
                                        ".",
                                    core::ErrorKind::Transient);
        }
        if (!waitFor(loadStart + (changed ? target : target / 2))) {
            return;
        }
    }
}

void HlsSource::deliver(SourceOutput& out, Connection& connection, const HlsSegment& segment) {
    std::string contentType;
    const std::string body =
        fetch(segment.uri, segment.byteLength, segment.byteOffset, &contentType);
    if (segment.map && (!lastMap_ || *lastMap_ != *segment.map)) {
        lastMapBytes_ = fetch(segment.map->uri, segment.map->byteLength, segment.map->byteOffset);
        lastMap_ = segment.map;
    }
    const bool newInit =
        segment.map && (!connection.pieceMap || *connection.pieceMap != *segment.map);
    if (!connection.connected || (newInit && connection.pieceMap)) {
        // The connection's first segment, or a different init section: a new piece starts.
        format_ = detectFormat(
            contentType, segment.map ? std::string_view(lastMapBytes_) : std::string_view(body));
        Resume resume = connection.connected ? Resume{} : connection.resume;
        resume.first = connection.connected ? false : connection.resume.first;
        resume.sequence = segment.sequence;
        resume.programDateTime = segment.programDateTime;
        out.connected(*format_, resume);
        connection.connected = true;
        connection.pieceMap.reset();
    }
    if (segment.map && connection.pieceMap != segment.map) {
        out.write(lastMapBytes_, 0, ChunkKind::Init);
        connection.pieceMap = segment.map;
    }
    if (segment.discontinuity && delivered_) {
        out.notice("Discontinuity before segment " + std::to_string(segment.sequence) + " of " +
                   mediaUrl_ + ".");
    }
    out.write(body, segment.duration, ChunkKind::SegmentStart);
    delivered_ = true;
}

}  // namespace confcap::record
