// The status server's network side: one thread accepts connections, reads request heads and
// writes answers and files without blocking, so that a slow or idle client holds no thread; what
// an answer needs computed (the page, the status, a password check) runs on small worker pools.
// HttpFront owns the event loop and each connection's reading and writing; the connections
// themselves are in FrontConnections.h, the worker pools in FrontLanes.h.
#pragma once

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "confcap/tls/TlsModule.h"

namespace confcap::status {

/// An open file descriptor, closed with its owner; movable.
class OwnedFile {
public:
    OwnedFile() = default;
    explicit OwnedFile(int fd) : fd_(fd) {}
    ~OwnedFile();
    OwnedFile(OwnedFile&& other) noexcept : fd_(other.release()) {}
    OwnedFile& operator=(OwnedFile&& other) noexcept;
    OwnedFile(const OwnedFile&) = delete;
    OwnedFile& operator=(const OwnedFile&) = delete;
    int get() const { return fd_; }
    int release() noexcept {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_ = -1;
};

using SteadyTime = std::chrono::steady_clock::time_point;

/// What the server answers to one request: the head, then the body or a range of a file. The
/// front adds Date, Connection and (when unset) Content-Length, and leaves the body out for HEAD.
struct Reply {
    Poco::Net::HTTPResponse head;
    std::string body;
    /// A file whose bytes [offset, offset + length) follow the head instead of the body.
    OwnedFile file;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    /// Close the connection after this answer.
    bool close = false;
    /// Not sent before this moment (a refused password waits).
    SteadyTime notBefore{};
};

/// A short plain-text answer.
Reply textReply(Poco::Net::HTTPResponse::HTTPStatus status, const std::string& text);

/// One request as the front read it.
struct Request {
    Poco::Net::HTTPRequest head;
    /// The client's address, without the port.
    std::string peer;
    /// When its head had arrived whole.
    SteadyTime arrived{};
};

/// Where an answer that needs work is computed: the status lane for pages, status and files;
/// the verify lane for password checks not known yet (slow by design), so that a flood of them
/// never delays a probe.
enum class Lane { Status, Verify };

/// What the front does with a request: answer at once, or compute the answer on a lane.
struct Route {
    std::optional<Reply> reply;
    Lane lane = Lane::Status;
};

class HttpFront {
public:
    struct Limits {
        /// A request head must arrive whole within this time of its first byte (of the
        /// connection, for its first request; a TLS handshake counts too).
        std::chrono::milliseconds headTimeout{5000};
        /// A kept-alive connection may wait this long for its next request.
        std::chrono::milliseconds idleTimeout{10000};
        /// ... and only this long while the server is crowded (over 3/4 of maxConnections).
        std::chrono::milliseconds crowdedIdleTimeout{1000};
        /// A client that takes nothing of an answer for this long is dropped.
        std::chrono::milliseconds sendTimeout{30000};
        /// Open connections at most; 0 takes what the open-file limit allows (two files each,
        /// 1024 kept for the rest of the program), at most 4096.
        /// When full, a new connection replaces an idle kept-alive one, else the oldest one
        /// that has not sent a whole request.
        std::size_t maxConnections = 0;
        /// Open connections from one client address at most. A new one past it replaces that
        /// address's oldest idle one or one that has not sent a whole request; it is closed at
        /// once only when all of them are answering.
        std::size_t maxPerAddress = 32;
        /// Requests waiting for the status lane at most; more get 503.
        std::size_t maxQueued = 256;
        /// Password checks waiting for the verify lane at most, in all and from one client
        /// address; more get 503. The lanes are counted apart, so that a flood of password
        /// guesses never refuses a page, status or file.
        std::size_t maxQueuedChecks = 32;
        std::size_t maxQueuedChecksPerAddress = 4;
        /// Files being sent at once at most (each holds a buffer); more get 503.
        std::size_t maxFileAnswers = 64;
    };

    /// `route` runs on the front's thread and must not block; `respond` runs on a worker of the
    /// lane route chose. Both may throw: the client gets 500.
    struct Handlers {
        std::function<Route(const Request&)> route;
        std::function<Reply(const Request&)> respond;
    };

    /// Serves on `socket` (bound and listening) from now on; TLS with `tls` when it is not
    /// null. Raises the soft limit of open files first to what the connections need (at most the
    /// hard limit; never lowers it).
    HttpFront(Poco::Net::ServerSocket socket, Handlers handlers, Limits limits,
              tls::ContextPtr tls);
    /// Stops: closes every connection and joins the threads.
    ~HttpFront();
    HttpFront(const HttpFront&) = delete;
    HttpFront& operator=(const HttpFront&) = delete;

    /// New connections use this TLS context from now on. Thread-safe.
    void setTls(tls::ContextPtr tls);

    /// The open connections allowed at once.
    std::size_t maxConnections() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace confcap::status
