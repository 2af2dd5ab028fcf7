// The HTTP side of an HLS follower: its playlists and segments over one keep-alive connection,
// with the source's timeouts and the size a playlist or a segment may have.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "confcap/source/HlsPlaylist.h"
#include "confcap/source/Source.h"

namespace confcap::fetch {
class HttpClient;
}

namespace confcap::source {

/// Fetches for one HlsSource. fetch calls come from one thread; abort() from any.
class HlsFetcher {
public:
    /// Uses the timeouts and the CA file of `options`.
    explicit HlsFetcher(const SourceOptions& options);
    ~HlsFetcher();
    HlsFetcher(const HlsFetcher&) = delete;
    HlsFetcher& operator=(const HlsFetcher&) = delete;

    /// Reads the playlist `url` (at most 16 MiB) and parses it against the URL it came from
    /// after redirects. Throws core::FetchError, and core::SourceError when it is no playlist.
    HlsPlaylist playlist(const std::string& url);
    /// Reads a segment or an initialization section (at most 256 MiB): the bytes `offset` to
    /// `offset + length - 1` of `url`, all of it without `length`; its Content-Type goes to
    /// `contentType` when given. Throws core::FetchError.
    std::string media(const std::string& url, std::optional<std::uint64_t> length,
                      std::uint64_t offset, std::string* contentType = nullptr);
    /// Like media(), into a buffer the fetcher holds: the bytes stay valid until release() or
    /// the next segment() call. The buffers are shared by every fetcher of the process, so a
    /// record of many rooms keeps about as many as it reads segments at once, not one per room.
    /// Throws core::FetchError.
    std::string_view segment(const std::string& url, std::optional<std::uint64_t> length,
                             std::uint64_t offset, std::string* contentType = nullptr);
    /// Gives the last segment()'s buffer back for another fetcher to reuse (its bytes are no
    /// longer needed).
    void release() noexcept;
    /// Makes the request under way fail at once. Thread-safe.
    void abort() noexcept;

private:
    SourceOptions options_;
    std::unique_ptr<fetch::HttpClient> client_;
    std::string segment_;  // the last segment() read, until release()
};

}  // namespace confcap::source
