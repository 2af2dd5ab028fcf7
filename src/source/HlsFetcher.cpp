#include "confcap/source/HlsFetcher.h"

#include <mutex>
#include <vector>

#include "confcap/fetch/HttpClient.h"

namespace confcap::source {

namespace {

constexpr std::size_t kPlaylistLimit = 16 * 1024 * 1024;
// A segment larger than this is not a media segment of a live stream.
constexpr std::size_t kSegmentLimit = 256 * 1024 * 1024;

// The segment buffers of every fetcher in the process that are not holding a segment now. A
// buffer keeps its capacity, so a segment is read without growing or zero-filling one.
class SegmentBuffers {
public:
    SegmentBuffers() { free_.reserve(kKept); }

    std::string take() {
        std::lock_guard lock(mutex_);
        if (free_.empty()) {
            return {};
        }
        auto buffer = std::move(free_.back());
        free_.pop_back();
        return buffer;
    }
    void give(std::string buffer) noexcept {
        std::lock_guard lock(mutex_);
        if (free_.size() < kKept) {
            free_.push_back(std::move(buffer));
        }
    }

private:
    // More are let go: that many segments are rarely read at the same moment.
    static constexpr std::size_t kKept = 8;
    std::mutex mutex_;
    std::vector<std::string> free_;
};

SegmentBuffers& segmentBuffers() {
    static SegmentBuffers buffers;
    return buffers;
}

fetch::HttpRequest mediaRequest(const SourceOptions& options, const std::string& url,
                                std::optional<std::uint64_t> length, std::uint64_t offset) {
    fetch::HttpRequest request;
    request.url = url;
    request.connectTimeout = options.connectTimeout;
    request.readTimeout = options.stallTimeout;
    request.maxBodyBytes = kSegmentLimit;
    if (length) {
        request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" +
                                                  std::to_string(offset + *length - 1));
    }
    return request;
}

}  // namespace

HlsFetcher::HlsFetcher(const SourceOptions& options) : options_(options) {
    fetch::HttpClient::Options clientOptions;
    clientOptions.caFile = options_.caFile;
    client_ = std::make_unique<fetch::HttpClient>(clientOptions);
}

HlsFetcher::~HlsFetcher() {
    release();
}

void HlsFetcher::release() noexcept {
    // A buffer that never held a segment (an error came first) is not worth keeping.
    if (segment_.capacity() >= 64 * 1024) {
        segmentBuffers().give(std::move(segment_));
    }
    segment_ = std::string();
}

void HlsFetcher::abort() noexcept {
    client_->abort();
}

HlsPlaylist HlsFetcher::playlist(const std::string& url) {
    fetch::HttpRequest request;
    request.url = url;
    request.connectTimeout = options_.connectTimeout;
    request.readTimeout = options_.stallTimeout;
    request.maxBodyBytes = kPlaylistLimit;
    const auto response = client_->get(request);
    return parseHlsPlaylist(response.body, response.finalUrl);
}

std::string HlsFetcher::media(const std::string& url, std::optional<std::uint64_t> length,
                              std::uint64_t offset, std::string* contentType) {
    auto response = client_->get(mediaRequest(options_, url, length, offset));
    if (contentType != nullptr) {
        *contentType = response.headers.get("Content-Type").value_or("");
    }
    return std::move(response.body);
}

std::string_view HlsFetcher::segment(const std::string& url, std::optional<std::uint64_t> length,
                                     std::uint64_t offset, std::string* contentType) {
    release();
    segment_ = segmentBuffers().take();
    const auto response = client_->get(mediaRequest(options_, url, length, offset), segment_);
    if (contentType != nullptr) {
        *contentType = response.headers.get("Content-Type").value_or("");
    }
    return segment_;
}

}  // namespace confcap::source
