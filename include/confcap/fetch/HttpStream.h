// A response body read progressively (live progressive streams, large downloads): the bytes arrive
// through read() into the caller's buffer, and a stall longer than the read timeout is an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "confcap/fetch/HttpHeaders.h"

namespace confcap::fetch {

/// An open response whose body has not been read yet. Made by HttpClient::open(). Used on the
/// thread that opened it, except abort(), which any thread may call. Destroying the stream after
/// the whole body was read hands the connection back to its client for reuse; otherwise the
/// connection is closed.
class HttpStream {
public:
    /// Internal to the fetch module; streams come from HttpClient::open().
    struct Impl;
    explicit HttpStream(std::unique_ptr<Impl> impl);
    ~HttpStream();
    HttpStream(const HttpStream&) = delete;
    HttpStream& operator=(const HttpStream&) = delete;

    /// The HTTP status of the final response (2xx, or 304 for a conditional request).
    int status() const noexcept;
    /// The URL that answered, after redirects.
    const std::string& finalUrl() const noexcept;
    /// The final response's header fields (Content-Type, ETag, ...).
    const HttpHeaders& headers() const noexcept;
    /// The body length the server announced, when it announced one.
    std::optional<std::uint64_t> contentLength() const noexcept;

    /// Reads up to `size` body bytes into `buffer`, waiting until at least one is available.
    /// Returns 0 at the end of the body, and again on every later call. One call makes at most
    /// one socket read, so pass a large buffer (64 KiB or more) for throughput.
    /// Throws core::FetchError: Transient when no data arrives within the read timeout ("no data
    /// for 20 s"), when the connection is reset, or when it closes before the announced length;
    /// Permanent after abort() or when the body's framing is malformed.
    std::size_t read(char* buffer, std::size_t size);
    /// Body bytes returned by read() so far.
    std::uint64_t bytesRead() const noexcept;

    /// Makes a read() that is blocked, or any later one, fail at once. Thread-safe; must not
    /// race with the destructor.
    void abort() noexcept;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace confcap::fetch
