// A small HTTP(S) server on 127.0.0.1 with a port chosen by the system, answering every request
// with one handler. The fake conference of `confcap demo` and the test suites are built on it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace confcap::demo {

class LoopbackServer {
public:
    /// Called on one of the server's threads for every request; may block (to pace or stall).
    using Handler =
        std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

    struct Options {
        /// Serve HTTPS with this certificate and key (PEM files), with the status server's TLS
        /// settings (TLS 1.2 at least, strong ciphers); plain HTTP when empty.
        std::string certificateFile;
        std::string privateKeyFile;
        int maxThreads = 32;
        bool keepAlive = true;
        /// The server's uplink in bytes per second, shared by every body sent with send(), as
        /// the rooms of a venue share its line; unlimited when 0.
        double bytesPerSecond = 0;
    };

    /// Starts listening at once. Throws Poco::Exception when the socket cannot be bound or the
    /// certificate and key cannot be used, core::NotInstalledError without the TLS module.
    explicit LoopbackServer(Handler handler);
    LoopbackServer(Handler handler, Options options);
    /// Stops accepting and aborts open connections.
    ~LoopbackServer();
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    std::uint16_t port() const;
    /// "http://127.0.0.1:<port><path>" (https when serving TLS); `path` starts with '/'.
    std::string url(std::string_view path) const;
    /// TCP connections accepted so far (to check keep-alive reuse).
    std::size_t connections() const;

    /// Changes the uplink (see Options::bytesPerSecond) for the slices sent from now on; 0
    /// lifts the limit. Any thread.
    void setBytesPerSecond(double bytesPerSecond);

    /// Sends `body` as `response`'s body (its Content-Length set), paced by the uplink
    /// (Options::bytesPerSecond, setBytesPerSecond) in slices of 8 KiB that concurrent
    /// responses take turns at; as fast as the client reads without a limit. Call from the handler.
    /// Throws Poco::Exception when the client goes away.
    void send(Poco::Net::HTTPServerResponse& response, std::string_view body) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace confcap::demo
