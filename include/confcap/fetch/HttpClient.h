// The HTTP(S) client every network read in confcap goes through: schedules, HLS playlists and
// segments, progressive streams. Keep-alive connections, redirects, timeouts, TLS verification, and
// failures classified as transient or permanent for the retry policy.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "confcap/fetch/HttpHeaders.h"
#include "confcap/fetch/HttpStream.h"

namespace confcap::fetch {

/// The longest body get() reads when a request sets no maxBodyBytes (an HLS segment, say).
inline constexpr std::size_t kDefaultMaxBodyBytes = 256 * 1024 * 1024;

/// One GET request.
struct HttpRequest {
    /// An absolute http:// or https:// URL.
    std::string url;
    /// Extra request header fields (e.g. If-None-Match); they replace fields of the same name.
    std::vector<std::pair<std::string, std::string>> headers;
    /// Limit for opening a connection, TLS handshake included.
    std::chrono::milliseconds connectTimeout{10'000};
    /// Limit for any single wait for data from the server (the stall limit of streams).
    std::chrono::milliseconds readTimeout{20'000};
    /// Redirects followed before giving up.
    int maxRedirects = 8;
    /// get() fails with a Permanent core::FetchError when the body is longer than this;
    /// kDefaultMaxBodyBytes when unset.
    std::optional<std::size_t> maxBodyBytes;
};

/// A complete response from HttpClient::get().
struct HttpResponse {
    int status = 0;        ///< 2xx, or 304 for a conditional request
    std::string finalUrl;  ///< the URL that answered, after redirects
    HttpHeaders headers;
    std::string body;
};

/// An HTTP/1.1 client. One per thread: it keeps one keep-alive connection per scheme, host and
/// port and reuses it, so the requests of one room travel over one connection. abort() is the
/// only member another thread may call.
///
/// Every failure is a core::FetchError whose message is one sentence naming the URL:
/// HTTP 5xx, 408 and 429 are Transient; other 4xx and other non-2xx answers are Permanent; any
/// of them carries retryAfter() when the server sent Retry-After (seconds or an HTTP date);
/// refused, reset or timed-out connections and unknown host names are Transient; a TLS
/// certificate that cannot be verified and too many redirects are Permanent; a malformed URL,
/// an unsupported scheme and an unreadable --ca-file are Unusable.
///
/// HTTPS verifies the server's certificate against the system CA store (/etc/ssl/certs) and an
/// optional extra CA file, and checks the host name. The first client made sets SIGPIPE to be
/// ignored (a closed connection must not kill it); OpenSSL is initialized for the process before
/// the first HTTPS request, and not at all by a process that fetches only plain HTTP.
class HttpClient {
public:
    struct Options {
        /// A PEM file of extra trusted CA certificates (`--ca-file`); none when empty.
        std::string caFile;
        /// Sent as User-Agent; "confcap/<version>" when empty.
        std::string userAgent;
    };

    HttpClient();
    explicit HttpClient(Options options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// Fetches `request.url` following 301/302/303/307/308 (relative Location too) and returns the
    /// final 2xx response with its whole body, or a 304 as a response (conditional GET).
    /// Throws core::FetchError as described for the class.
    HttpResponse get(const HttpRequest& request);
    /// Like get(), but reads the body into `body`, reusing its storage (what it held is
    /// dropped); the response's own body stays empty. For bodies fetched one after another,
    /// such as HLS segments, which then need no new allocation each.
    HttpResponse get(const HttpRequest& request, std::string& body);

    /// Like get(), but returns once the final response's header has arrived; the body is then
    /// read through the stream. Throws core::FetchError as described for the class. The stream
    /// may outlive the client.
    std::unique_ptr<HttpStream> open(const HttpRequest& request);

    /// Makes the transfer in progress (of get() or of any stream this client opened) and every
    /// later call fail promptly with a Permanent FetchError. A connection attempt in progress
    /// still runs to its connect timeout. Thread-safe.
    void abort() noexcept;

    /// TCP connections this client has opened so far.
    std::size_t connectionsOpened() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace confcap::fetch
