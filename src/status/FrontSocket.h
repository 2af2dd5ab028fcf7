// A status server connection's socket: reads and writes that never block (plain or TLS), its
// entry in the event loop's epoll set, and the open-files budget the connections live in.
#pragma once

#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <sys/resource.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace confcap::status {

/// Descriptors kept for what the recorder opens beside the status server's connections.
constexpr rlim_t kOtherFiles = 1024;
/// Connections at most when the caller leaves the number open.
constexpr rlim_t kMostConnections = 4096;

/// The soft limit of open files raised to `wanted` (at most the hard limit), never lowered; the
/// limit in force. Not to the hard limit: a child process started later closes every
/// descriptor up to the limit, slow when it is a million.
rlim_t raiseFileLimit(rlim_t wanted);

/// The connections a limit of `files` open files allows: two descriptors each (its socket and
/// a file it sends), beside the recorder's own.
std::size_t connectionsFor(rlim_t files);

/// The numeric address of a peer ("127.0.0.1", "::1").
std::string addressText(const sockaddr_storage& address);

/// Adds `fd` to the epoll set `epoll` for `events`, reported with `id`; with `modify`, changes
/// the events of an `fd` already there.
void watchFd(int epoll, int fd, std::uint64_t id, std::uint32_t events, bool modify);

/// What one read or write did.
struct Io {
    std::size_t bytes = 0;
    bool wantRead = false;
    bool wantWrite = false;
    bool closed = false;  // the peer closed, or an error: the connection is done
};

/// Reads what is there into `buffer` from `fd`, or through `tls` when it is not null.
Io receiveSome(int fd, Poco::Net::StreamSocket* tls, char* buffer, std::size_t size);

/// Writes what the socket takes of `data` to `fd`, or through `tls` when it is not null (at most
/// one TLS record at a time).
Io sendSome(int fd, Poco::Net::StreamSocket* tls, const char* data, std::size_t size);

}  // namespace confcap::status
