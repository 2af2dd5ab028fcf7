// The status server's connection table: which connections are open and in what state, how many
// come from each address, who makes room when it is full, and when a connection has waited too
// long. Owned by the front's thread; only setTls() may be called from another.
#pragma once

#include <Poco/Net/StreamSocket.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "HttpFront.h"
#include "confcap/tls/TlsModule.h"

namespace confcap::status {

// Named, not anonymous: the front's table and its Impl share them.
namespace front {

enum class State { Handshake, Head, Busy, Writing, Closing };

struct Connection {
    std::uint64_t id = 0;
    Poco::Net::StreamSocket socket;
    int fd = -1;
    bool tls = false;
    std::string peer;
    State state = State::Head;
    std::uint32_t events = 0;  // what epoll watches now
    bool registered = false;
    SteadyTime opened{};
    SteadyTime deadline{};
    bool fresh = true;         // no request answered on it yet
    bool headStarted = false;  // a byte of the next request arrived
    std::string in;            // bytes read that are not a request yet
    bool keepAlive = false;
    bool peerClosed = false;  // the client closed its side (or the connection failed)
    bool head = false;        // the request being answered is a HEAD
    // What is being written.
    std::string out;
    std::size_t outAt = 0;
    OwnedFile file;
    std::uint64_t fileOffset = 0;
    std::uint64_t fileLeft = 0;
    bool closeAfter = false;
    SteadyTime notBefore{};
    SteadyTime lastProgress{};
};

}  // namespace front

class FrontConnections {
public:
    /// Holds at most `maxConnections` connections under `limits`, watched on `epoll` (which
    /// stays the caller's); new ones use `tls` when it is not null. Ids 0 and 1 are left to
    /// the caller.
    FrontConnections(const HttpFront::Limits& limits, std::size_t maxConnections, int epoll,
                     tls::ContextPtr tls);
    FrontConnections(const FrontConnections&) = delete;
    FrontConnections& operator=(const FrontConnections&) = delete;

    /// New connections use this TLS context from now on. Thread-safe.
    void setTls(tls::ContextPtr tls);

    std::size_t maxConnections() const { return maxConnections_; }

    /// Over 3/4 of maxConnections are open: idle connections get less time and no keep-alive.
    bool crowded() const { return connections_.size() * 4 > maxConnections_ * 3; }

    /// The connections sending a file now.
    std::size_t fileAnswers() const;

    /// The open connection with `id`, or null.
    front::Connection* find(std::uint64_t id);

    /// Takes the accepted socket `fd` from `peer`, making room first when `peer` or the table
    /// has its most (see Limits). The new connection, watched for reading (in Handshake for
    /// TLS, else Head); null when there was no room or no socket (`fd` is closed then).
    front::Connection* admit(int fd, std::string peer, SteadyTime now);

    /// Watches `c` for `events`; 0 takes it out of the set.
    void want(front::Connection& c, std::uint32_t events);

    /// Closes `c` at once and forgets it.
    void close(front::Connection& c);

    /// Stops writing; the peer's last bytes are read and dropped for a moment, so that what
    /// was sent is not lost to a reset.
    void closeGently(front::Connection& c, SteadyTime now);

    /// Closes the connections past their time; returns those whose answer was held back until
    /// now (they are Writing and stay watched for nothing).
    std::vector<front::Connection*> expire(SteadyTime now);

    /// Forgets every connection, closing its socket.
    void clear() { connections_.clear(); }

private:
    bool evict();
    bool evictFrom(const std::string& peer);
    template <typename Among>
    bool closeOldestWaiting(Among among);
    front::Connection* open(int fd, std::string peer, SteadyTime now);
    void releaseAddress(const std::string& peer);

    HttpFront::Limits limits_;
    std::size_t maxConnections_;
    int epoll_;

    std::mutex tlsMutex_;
    tls::ContextPtr tls_;  // guarded by tlsMutex_

    std::unordered_map<std::uint64_t, std::unique_ptr<front::Connection>> connections_;
    std::map<std::string, std::size_t> perAddress_;
    std::uint64_t nextId_ = 2;
};

}  // namespace confcap::status
