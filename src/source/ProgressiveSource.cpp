#include "confcap/source/ProgressiveSource.h"

#include <algorithm>

#include "confcap/core/Error.h"
#include "confcap/fetch/HttpClient.h"
#include "confcap/fetch/HttpStream.h"
#include "confcap/source/HlsSource.h"

namespace confcap::source {

namespace {

constexpr std::size_t kMinimumReadSize = 64 * 1024;

}  // namespace

ProgressiveSource::ProgressiveSource(std::string url, SourceOptions options)
    : url_(std::move(url)), options_(std::move(options)) {
    fetch::HttpClient::Options clientOptions;
    clientOptions.caFile = options_.caFile;
    client_ = std::make_unique<fetch::HttpClient>(clientOptions);
    buffer_.resize(std::max(options_.readSize, kMinimumReadSize));
}

ProgressiveSource::~ProgressiveSource() = default;

void ProgressiveSource::stop() noexcept {
    HlsSource* hls = nullptr;
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        hls = hls_.get();
    }
    client_->abort();
    if (hls != nullptr) {
        hls->stop();
    }
}

RunEnd ProgressiveSource::run(SourceOutput& out) {
    HlsSource* hls = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) {
            return RunEnd::Stopped;
        }
        hls = hls_.get();
    }
    if (hls != nullptr) {
        return hls->run(out);
    }
    if (finished_) {
        return RunEnd::Finished;  // the whole resource was delivered: fetching it again repeats it
    }

    fetch::HttpRequest request;
    request.url = url_;
    request.connectTimeout = options_.connectTimeout;
    request.readTimeout = options_.stallTimeout;
    auto stream = client_->open(request);
    const std::string contentType = stream->headers().get("Content-Type").value_or("");
    const std::size_t have = readFirst(*stream);
    const std::string_view first(buffer_.data(), have);
    if (looksLikeHlsPlaylist(contentType, first)) {
        out.notice(url_ + " answers with an HLS playlist; recording it as HLS.");
        stream.reset();
        return runAsHls(out);
    }
    if (have == 0) {
        throw core::SourceError("The stream " + url_ + " ended before sending any data.",
                                core::ErrorKind::Transient);
    }

    Resume resume;
    resume.first = !connectedBefore_;
    connectedBefore_ = true;
    out.connected(detectFormat(contentType, first), resume);
    core::Chunk chunk;
    chunk.bytes = first;
    out.write(chunk);
    return deliver(*stream, out);
}

std::size_t ProgressiveSource::readFirst(fetch::HttpStream& stream) {
    // The first read may be short; gather enough to recognise the format.
    std::size_t have = 0;
    while (have < kSniffBytes) {
        const std::size_t n = stream.read(buffer_.data() + have, buffer_.size() - have);
        if (n == 0) {
            break;
        }
        have += n;
    }
    return have;
}

RunEnd ProgressiveSource::runAsHls(SourceOutput& out) {
    HlsSource* hls = nullptr;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) {
            return RunEnd::Stopped;
        }
        hls_ = std::make_unique<HlsSource>(url_, options_);
        hls = hls_.get();
    }
    return hls->run(out);
}

RunEnd ProgressiveSource::deliver(fetch::HttpStream& stream, SourceOutput& out) {
    core::Chunk chunk;
    for (;;) {
        const std::size_t n = stream.read(buffer_.data(), buffer_.size());
        if (n == 0) {
            {
                std::lock_guard lock(mutex_);
                if (stopped_) {
                    return RunEnd::Stopped;
                }
            }
            if (const auto length = stream.contentLength(); length && *length > 0) {
                // A resource of announced length, read to its end: a file, not a live stream.
                finished_ = true;
                out.notice("The stream " + url_ + " is a finished recording of " +
                           std::to_string(*length) + " bytes.");
                return RunEnd::Finished;
            }
            throw core::SourceError("The server ended the stream " + url_ + " after " +
                                        std::to_string(stream.bytesRead()) + " bytes.",
                                    core::ErrorKind::Transient);
        }
        chunk.bytes = std::string_view(buffer_.data(), n);
        out.write(chunk);
    }
}

}  // namespace confcap::source
