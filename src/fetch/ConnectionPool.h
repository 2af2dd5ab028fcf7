// Internal to the fetch module: the idle keep-alive connections of one HttpClient, and the busy
// ones, so that abort() from another thread can shut down whatever transfer is in progress.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "HttpConnection.h"

namespace confcap::fetch {

/// Shared by an HttpClient and the streams it opened, which may outlive it. Thread-safe.
class ConnectionPool {
public:
    /// The idle connection to `endpoint`, or a new unconnected one.
    std::unique_ptr<HttpConnection> take(const Endpoint& endpoint, tls::ContextPtr tls);
    /// Keeps a connection whose last response was read to the end, for the next request to its
    /// endpoint (replacing an older idle one).
    void giveBack(std::unique_ptr<HttpConnection> connection);

    /// Registers a connected connection whose transfer is under way, so abort() can shut it down.
    /// Returns false, registering nothing, when the pool was aborted.
    bool enter(HttpConnection& connection);
    /// Ends the registration made by enter(); afterwards abort() no longer touches it.
    void leave(HttpConnection& connection) noexcept;

    /// Shuts down every registered connection and refuses later transfers.
    void abort() noexcept;
    bool aborted() const noexcept;

    /// Counts a TCP connection opened on behalf of the pool's client.
    void countConnect() noexcept;
    std::size_t connects() const noexcept;

private:
    mutable std::mutex mutex_;
    bool aborted_ = false;
    std::size_t connects_ = 0;
    std::map<std::string, std::unique_ptr<HttpConnection>> idle_;
    std::set<HttpConnection*> busy_;
};

}  // namespace confcap::fetch
