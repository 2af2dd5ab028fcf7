// Internal to the fetch module: one keep-alive connection over Poco's client session, opened up so
// that HttpStream can read the body itself (large reads, no per-byte stream buffer), and the
// translation of Poco's exceptions into FetchErrors that name the URL.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "confcap/tls/TlsModule.h"

namespace Poco {
class Exception;
namespace Net {
class HTTPRequest;
class HTTPResponse;
}  // namespace Net
}  // namespace Poco

namespace confcap::fetch {

/// Where a connection goes. Connections are pooled by key().
struct Endpoint {
    std::string scheme;  ///< "http" or "https"
    std::string host;    ///< without brackets for IPv6
    std::uint16_t port = 0;

    bool secure() const noexcept { return scheme == "https"; }
    std::string key() const { return scheme + "://" + host + ":" + std::to_string(port); }
};

/// What was under way when a call failed; it picks the wording and the timeout named.
enum class Phase { Connect, Exchange, Body };

/// One HTTP/1.1 connection to one endpoint, reconnected by Poco when it went stale. Calls pass
/// Poco exceptions through; callers translate them with throwFetchError(). One thread at a time,
/// except shutdown().
class HttpConnection {
public:
    /// `tls` is required for an https endpoint and ignored otherwise. Does not connect yet.
    HttpConnection(Endpoint endpoint, tls::ContextPtr tls);
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    const Endpoint& endpoint() const noexcept { return endpoint_; }
    /// True when the next send() opens a new TCP connection (none yet, or the old one is stale).
    bool needsConnect() const;
    /// Applies to the next connect and to every later wait for data.
    void setTimeouts(std::chrono::milliseconds connect, std::chrono::milliseconds read);
    /// Sends a request without body, connecting first when needsConnect().
    void send(Poco::Net::HTTPRequest& request);
    /// Reads the response header of the request just sent.
    void receive(Poco::Net::HTTPResponse& response);
    /// Reads up to `size` bytes following the header: bytes already buffered first, else one
    /// socket read straight into `buffer`. Returns 0 when the server closed the connection.
    std::size_t readSome(char* buffer, std::size_t size);
    /// The socket descriptor, or -1 when not connected.
    int nativeHandle() const;
    /// Shuts the socket down so that a blocked read returns at once. Any thread; the caller
    /// guarantees the connection is not being destroyed meanwhile.
    static void shutdown(int nativeHandle) noexcept;

private:
    void awaitData();

    Endpoint endpoint_;
    std::chrono::milliseconds readTimeout_{20'000};
    std::unique_ptr<tls::ClientSession> session_;
};

/// Throws the FetchError for `error` raised while fetching `url` during `phase`; `timeout` is the
/// limit that applied. Certificate failures are Permanent, everything else Transient.
[[noreturn]] void throwFetchError(const Poco::Exception& error, const std::string& url, Phase phase,
                                  std::chrono::milliseconds timeout);

/// "20 s", "1.5 s" or "300 ms": a timeout as the error messages show it.
std::string formatTimeout(std::chrono::milliseconds timeout);

/// Sets SIGPIPE to be ignored, once per process; safe to call from any thread.
void initializeNetworkOnce();

}  // namespace confcap::fetch
