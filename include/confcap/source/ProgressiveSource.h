// The progressive source: one long HTTP response (Icecast-style MPEG-TS, MP3, AAC, Ogg, WebM,
// FLV) read in large blocks and handed on without copying or looking at each byte.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "confcap/source/Source.h"

namespace confcap::fetch {
class HttpClient;
class HttpStream;
}  // namespace confcap::fetch

namespace confcap::source {

class HlsSource;

/// Each run() opens the URL and delivers its body until the connection fails. The format comes
/// from the first bytes and the Content-Type (see detectFormat). No data for `stallTimeout` is a
/// Transient FetchError; the end of a body without a length is a Transient SourceError (a live
/// stream does not end on its own), while a body read to its announced Content-Length is a
/// finished recording (Finished, and every later run() is Finished at once, since fetching it
/// again would repeat it); HTTP errors are FetchErrors with Retry-After. A response that is an
/// HLS playlist switches this source to an HlsSource for good.
class ProgressiveSource final : public Source {
public:
    ProgressiveSource(std::string url, SourceOptions options);
    ~ProgressiveSource() override;

    RunEnd run(SourceOutput& out) override;
    void stop() noexcept override;
    const std::string& url() const noexcept override { return url_; }

private:
    // Reads the body's start into buffer_: kSniffBytes or more unless it ends first. The count.
    std::size_t readFirst(fetch::HttpStream& stream);
    // Switches this source to an HlsSource for good and runs it.
    RunEnd runAsHls(SourceOutput& out);
    // Hands on the rest of the body until it ends: Finished for a body of announced length.
    RunEnd deliver(fetch::HttpStream& stream, SourceOutput& out);

    std::string url_;
    SourceOptions options_;
    std::unique_ptr<fetch::HttpClient> client_;
    std::vector<char> buffer_;
    bool connectedBefore_ = false;
    bool finished_ = false;

    std::mutex mutex_;
    bool stopped_ = false;
    std::unique_ptr<HlsSource> hls_;
};

}  // namespace confcap::source
