#include "FrontConnections.h"

#include <Poco/Exception.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "FrontSocket.h"
#include "confcap/tls/TlsModule.h"

namespace confcap::status {

using front::Connection;
using front::State;

namespace {

using namespace std::chrono_literals;

/// How long a closing connection may still send what it had in flight.
constexpr auto kLinger = 2s;

}  // namespace

FrontConnections::FrontConnections(const HttpFront::Limits& limits, std::size_t maxConnections,
                                   int epoll, tls::ContextPtr tls)
    : limits_(limits), maxConnections_(maxConnections), epoll_(epoll), tls_(std::move(tls)) {}

void FrontConnections::setTls(tls::ContextPtr tls) {
    std::lock_guard lock(tlsMutex_);
    tls_ = std::move(tls);
}

std::size_t FrontConnections::fileAnswers() const {
    return static_cast<std::size_t>(
        std::count_if(connections_.begin(), connections_.end(),
                      [](const auto& entry) { return entry.second->file.get() >= 0; }));
}

Connection* FrontConnections::find(std::uint64_t id) {
    const auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : it->second.get();
}

Connection* FrontConnections::admit(int fd, std::string peer, SteadyTime now) {
    const auto known = perAddress_.find(peer);
    const std::size_t count = known == perAddress_.end() ? 0 : known->second;
    // Making room closes a connection, which may take this address out of perAddress_: its
    // count is looked up again only after that.
    if ((count >= limits_.maxPerAddress && !evictFrom(peer)) ||
        (connections_.size() >= maxConnections_ && !evict())) {
        ::close(fd);
        return nullptr;
    }
    ++perAddress_[peer];
    return open(fd, std::move(peer), now);
}

/// Closes the oldest connection `among` takes that is not being answered: one in its handshake,
/// waiting for a request, or closing. False when there is none.
template <typename Among>
bool FrontConnections::closeOldestWaiting(Among among) {
    Connection* oldest = nullptr;
    for (auto& [id, c] : connections_) {
        if ((c->state == State::Head || c->state == State::Handshake ||
             c->state == State::Closing) &&
            among(*c) && (oldest == nullptr || c->opened < oldest->opened)) {
            oldest = c.get();
        }
    }
    if (oldest == nullptr) {
        return false;
    }
    close(*oldest);
    return true;
}

/// Makes room for a new connection: closes an idle kept-alive one, else the oldest one that has
/// not sent a whole request. False when every connection is busy or answering.
bool FrontConnections::evict() {
    for (auto& [id, c] : connections_) {
        if (c->state == State::Head && !c->fresh && !c->headStarted) {
            close(*c);
            return true;
        }
    }
    return closeOldestWaiting([](const Connection&) { return true; });
}

/// Makes room for a new connection from `peer`, which has its most: closes its oldest one that
/// is idle or has not sent a whole request (a probe from a busy address still gets in). False
/// when all of them are busy or answering.
bool FrontConnections::evictFrom(const std::string& peer) {
    return closeOldestWaiting([&](const Connection& c) { return c.peer == peer; });
}

Connection* FrontConnections::open(int fd, std::string peer, SteadyTime now) {
    auto c = std::make_unique<Connection>();
    c->id = nextId_++;
    c->fd = fd;
    c->peer = std::move(peer);
    c->opened = now;
    c->deadline = now + limits_.headTimeout;
    tls::ContextPtr context;
    {
        std::lock_guard lock(tlsMutex_);
        context = tls_;
    }
    try {
        auto* plain = new Poco::Net::StreamSocketImpl(fd);
        Poco::Net::StreamSocket plainSocket(plain);
        plain->setBlocking(false);
        if (context) {
            c->socket = tls::module().acceptedSocket(plainSocket, context);
            c->tls = true;
            c->state = State::Handshake;
        } else {
            c->socket = plainSocket;
            c->state = State::Head;
        }
    } catch (const Poco::Exception&) {
        releaseAddress(c->peer);
        return nullptr;
    }
    auto& stored = *c;
    connections_.emplace(stored.id, std::move(c));
    want(stored, EPOLLIN);
    return &stored;
}

void FrontConnections::releaseAddress(const std::string& peer) {
    const auto it = perAddress_.find(peer);
    if (it != perAddress_.end() && --it->second == 0) {
        perAddress_.erase(it);
    }
}

void FrontConnections::want(Connection& c, std::uint32_t events) {
    if (events == 0) {
        if (c.registered) {
            ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
            c.registered = false;
        }
    } else if (!c.registered) {
        watchFd(epoll_, c.fd, c.id, events, false);
        c.registered = true;
    } else if (c.events != events) {
        watchFd(epoll_, c.fd, c.id, events, true);
    }
    c.events = events;
}

void FrontConnections::close(Connection& c) {
    want(c, 0);
    try {
        c.socket.close();
    } catch (const Poco::Exception&) {
        // Closing a connection that failed fails as well; it is gone either way.
    }
    releaseAddress(c.peer);
    connections_.erase(c.id);
}

void FrontConnections::closeGently(Connection& c, SteadyTime now) {
    if (c.tls) {
        close(c);
        return;
    }
    ::shutdown(c.fd, SHUT_WR);
    c.state = State::Closing;
    c.deadline = now + kLinger;
    c.in.clear();
    want(c, EPOLLIN);
}

std::vector<Connection*> FrontConnections::expire(SteadyTime now) {
    const bool busy = crowded();
    std::vector<Connection*> expired;
    std::vector<Connection*> due;
    for (auto& [id, c] : connections_) {
        switch (c->state) {
            case State::Handshake:
            case State::Head:
            case State::Closing: {
                const bool idle = c->state == State::Head && !c->fresh && !c->headStarted;
                if (now >= c->deadline ||
                    (idle && busy && now >= c->lastProgress + limits_.crowdedIdleTimeout)) {
                    expired.push_back(c.get());
                }
                break;
            }
            case State::Writing:
                if (c->notBefore != SteadyTime{} && now >= c->notBefore) {
                    due.push_back(c.get());
                } else if (c->notBefore == SteadyTime{} &&
                           now >= c->lastProgress + limits_.sendTimeout) {
                    expired.push_back(c.get());
                }
                break;
            case State::Busy:
                break;
        }
    }
    for (auto* c : expired) {
        close(*c);
    }
    return due;
}

}  // namespace confcap::status
