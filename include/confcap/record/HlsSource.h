// The HLS source: follows a live playlist at the RFC 8216 reload cadence and delivers each media
// segment exactly once, in order, over one keep-alive connection; after an outage it resumes at
// the next segment not yet delivered, so an outage shorter than the playlist window loses nothing.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "confcap/record/HlsPlaylist.h"
#include "confcap/record/Source.h"

namespace confcap::fetch {
class HttpClient;
}

namespace confcap::record {

/// Reads a master or media playlist URL. A master playlist is resolved once to the variant
/// `options.variant` selects. A live stream starts with its newest `liveEdgeSegments` segments.
/// Each run() reloads the playlist (after `targetDuration` when it changed, half of it when it
/// did not) and fetches the segments after the last one delivered; segments that rolled out of
/// the window meanwhile are reported as lost (to connected() for the first segment of a run, to
/// lost() later). A segment with EXT-X-MAP is preceded by its init section at the start of each
/// piece. EXT-X-ENDLIST with every segment delivered ends run() normally; EXT-X-KEY with a method
/// other than NONE is a Permanent SourceError and nothing is written; a playlist that does not
/// grow for max(stallTimeout, 3 target durations) is a Transient SourceError.
class HlsSource final : public Source {
public:
    HlsSource(std::string url, SourceOptions options);
    ~HlsSource() override;

    void run(SourceOutput& out) override;
    void stop() noexcept override;
    const std::string& url() const noexcept override { return url_; }

    /// The media sequence number of the next segment to deliver, once the first playlist was
    /// read. Call from the thread that calls run().
    std::optional<std::int64_t> nextSequence() const noexcept { return next_; }
    /// The media playlist followed (the chosen variant's), once known. Same thread as run().
    const std::string& mediaPlaylistUrl() const noexcept { return mediaUrl_; }

private:
    struct Connection;
    HlsPlaylist loadPlaylist();
    void deliver(SourceOutput& out, Connection& connection, const HlsSegment& segment);
    std::string fetch(const std::string& url, std::optional<std::uint64_t> length,
                      std::uint64_t offset, std::string* contentType = nullptr);
    bool waitFor(std::chrono::steady_clock::time_point until);

    std::string url_;
    SourceOptions options_;
    std::unique_ptr<fetch::HttpClient> client_;
    std::string mediaUrl_;
    std::optional<std::int64_t> next_;
    bool delivered_ = false;  // some segment was delivered by an earlier run
    std::optional<HlsMap> lastMap_;
    std::string lastMapBytes_;
    std::optional<StreamFormat> format_;
    // Repeated failures of one listed segment; it is skipped after a few.
    std::int64_t failingSequence_ = -1;
    int failures_ = 0;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopped_ = false;
};

}  // namespace confcap::record
