#include "HttpFront.h"

#include <Poco/Exception.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/Timestamp.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "FrontSocket.h"
#include "confcap/status/RequestHead.h"

namespace confcap::status {

OwnedFile::~OwnedFile() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

OwnedFile& OwnedFile::operator=(OwnedFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = other.release();
    }
    return *this;
}

Reply textReply(Poco::Net::HTTPResponse::HTTPStatus status, const std::string& text) {
    Reply reply;
    reply.head.setStatusAndReason(status);
    reply.head.setContentType("text/plain; charset=utf-8");
    reply.head.setContentLength64(static_cast<Poco::Int64>(text.size()));
    reply.body = text;
    return reply;
}

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::uint64_t kListenerId = 0;
constexpr std::uint64_t kWakeId = 1;
constexpr std::size_t kReadChunk = 16 * 1024;
/// Read from a file per write: what one download holds in memory.
constexpr std::size_t kFileChunk = 64 * 1024;
/// Bytes written to one connection before the others get their turn.
constexpr std::size_t kWriteTurn = 512 * 1024;
/// How long a closing connection may still send what it had in flight.
constexpr auto kLinger = 2s;
constexpr auto kScanEvery = 50ms;

}  // namespace

// Named, not anonymous: the front's Impl holds them.
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

struct Job {
    std::uint64_t id;
    Request request;
};

}  // namespace front

using front::Connection;
using front::Job;
using front::State;

struct HttpFront::Impl {
    Poco::Net::ServerSocket listener;
    Handlers handlers;
    Limits limits;
    std::size_t maxConnections = 0;
    int epoll = -1;
    int wake = -1;
    std::atomic<bool> stopping{false};

    std::mutex tlsMutex;
    Poco::Net::Context::Ptr tls;

    // Owned by the front's thread.
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections;
    std::map<std::string, std::size_t> perAddress;
    std::uint64_t nextId = 2;
    SteadyTime acceptPausedUntil{};
    bool listening = false;

    // The lanes, and the answers coming back from them.
    struct Pool {
        std::deque<Job> jobs;
        std::vector<std::thread> threads;
        std::condition_variable ready;
    };
    std::mutex laneMutex;
    std::array<Pool, 2> pools;
    std::vector<std::pair<std::uint64_t, Reply>> done;

    std::thread thread;

    Impl(Poco::Net::ServerSocket s, Handlers h, Limits l, Poco::Net::Context::Ptr context)
        : listener(std::move(s)), handlers(std::move(h)), limits(l), tls(std::move(context)) {
        const rlim_t wanted =
            2 * (limits.maxConnections != 0 ? limits.maxConnections : kMostConnections) +
            kOtherFiles;
        const auto files = raiseFileLimit(wanted);
        maxConnections = limits.maxConnections != 0 ? limits.maxConnections : connectionsFor(files);
        listener.setBlocking(false);
        epoll = ::epoll_create1(EPOLL_CLOEXEC);
        wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (epoll < 0 || wake < 0) {
            throw Poco::IOException("cannot create the event loop");
        }
        watch(listener.impl()->sockfd(), kListenerId, EPOLLIN, false);
        listening = true;
        watch(wake, kWakeId, EPOLLIN, false);
        const std::array<std::size_t, 2> workers{2, 1};
        for (std::size_t lane = 0; lane < pools.size(); ++lane) {
            for (std::size_t i = 0; i < workers[lane]; ++i) {
                pools[lane].threads.emplace_back([this, lane] { work(lane); });
            }
        }
        thread = std::thread([this] { loop(); });
    }

    ~Impl() {
        stopping = true;
        notifyLoop();
        thread.join();
        { std::lock_guard lock(laneMutex); }
        for (auto& pool : pools) {
            pool.ready.notify_all();
        }
        for (auto& pool : pools) {
            for (auto& t : pool.threads) {
                t.join();
            }
        }
        connections.clear();
        ::close(wake);
        ::close(epoll);
    }

    void notifyLoop() {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto n = ::write(wake, &one, sizeof one);
    }

    void watch(int fd, std::uint64_t id, std::uint32_t events, bool modify) {
        epoll_event event{};
        event.events = events;
        event.data.u64 = id;
        ::epoll_ctl(epoll, modify ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
    }

    /// Watches `c` for `events`; 0 takes it out of the set.
    void want(Connection& c, std::uint32_t events) {
        if (events == 0) {
            if (c.registered) {
                ::epoll_ctl(epoll, EPOLL_CTL_DEL, c.fd, nullptr);
                c.registered = false;
            }
        } else if (!c.registered) {
            watch(c.fd, c.id, events, false);
            c.registered = true;
        } else if (c.events != events) {
            watch(c.fd, c.id, events, true);
        }
        c.events = events;
    }

    // ---- the lanes ----

    void work(std::size_t lane) {
        auto& pool = pools[lane];
        for (;;) {
            std::optional<Job> job;
            {
                std::unique_lock lock(laneMutex);
                pool.ready.wait(lock, [&] { return stopping || !pool.jobs.empty(); });
                if (stopping) {
                    return;
                }
                job.emplace(std::move(pool.jobs.front()));
                pool.jobs.pop_front();
            }
            Reply reply;
            try {
                reply = handlers.respond(job->request);
            } catch (const std::exception&) {
                reply = textReply(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR,
                                  "Internal error.\n");
            }
            {
                std::lock_guard lock(laneMutex);
                done.emplace_back(job->id, std::move(reply));
            }
            notifyLoop();
        }
    }

    bool queue(Lane lane, std::uint64_t id, Request request) {
        auto& pool = pools[lane == Lane::Status ? 0 : 1];
        {
            std::lock_guard lock(laneMutex);
            if (lane == Lane::Status) {
                if (pool.jobs.size() >= limits.maxQueued) {
                    return false;
                }
            } else {
                const auto fromPeer =
                    std::count_if(pool.jobs.begin(), pool.jobs.end(),
                                  [&](const Job& job) { return job.request.peer == request.peer; });
                if (pool.jobs.size() >= limits.maxQueuedChecks ||
                    static_cast<std::size_t>(fromPeer) >= limits.maxQueuedChecksPerAddress) {
                    return false;
                }
            }
            pool.jobs.push_back(Job{id, std::move(request)});
        }
        pool.ready.notify_one();
        return true;
    }

    void takeDone(SteadyTime now) {
        std::vector<std::pair<std::uint64_t, Reply>> replies;
        {
            std::lock_guard lock(laneMutex);
            replies.swap(done);
        }
        for (auto& [id, reply] : replies) {
            const auto it = connections.find(id);
            if (it != connections.end()) {
                startWriting(*it->second, std::move(reply), now);
            }
        }
    }

    // ---- the loop ----

    void loop() {
        // Only this thread writes to sockets; a peer gone must fail the write, not end the
        // process (OpenSSL writes without MSG_NOSIGNAL).
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        std::array<epoll_event, 256> events{};
        auto nextScan = Clock::now();
        while (!stopping) {
            const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()),
                                       static_cast<int>(kScanEvery.count()));
            const auto now = Clock::now();
            for (int i = 0; i < n && !stopping; ++i) {
                const auto id = events[static_cast<std::size_t>(i)].data.u64;
                const auto what = events[static_cast<std::size_t>(i)].events;
                if (id == kListenerId) {
                    acceptAll(now);
                } else if (id == kWakeId) {
                    std::uint64_t count = 0;
                    [[maybe_unused]] const auto r = ::read(wake, &count, sizeof count);
                } else if (const auto it = connections.find(id); it != connections.end()) {
                    onEvent(*it->second, what, now);
                }
            }
            takeDone(Clock::now());
            if (Clock::now() >= nextScan) {
                scan(Clock::now());
                nextScan = Clock::now() + kScanEvery;
            }
        }
    }

    bool crowded() const { return connections.size() * 4 > maxConnections * 3; }

    void acceptAll(SteadyTime now) {
        for (int i = 0; i < 256; ++i) {
            sockaddr_storage address{};
            socklen_t length = sizeof address;
            const int fd =
                ::accept4(listener.impl()->sockfd(), reinterpret_cast<sockaddr*>(&address), &length,
                          SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    // Out of descriptors: stop accepting for a moment instead of spinning.
                    ::epoll_ctl(epoll, EPOLL_CTL_DEL, listener.impl()->sockfd(), nullptr);
                    listening = false;
                    acceptPausedUntil = now + 100ms;
                }
                return;
            }
            auto peer = addressText(address);
            const auto known = perAddress.find(peer);
            const std::size_t count = known == perAddress.end() ? 0 : known->second;
            // Making room closes a connection, which may take this address out of perAddress:
            // its count is looked up again only after that.
            if ((count >= limits.maxPerAddress && !evictFrom(peer)) ||
                (connections.size() >= maxConnections && !evict())) {
                ::close(fd);
                continue;
            }
            ++perAddress[peer];
            open(fd, std::move(peer), now);
        }
    }

    /// Makes room for a new connection: closes an idle kept-alive one, else the oldest one that
    /// has not sent a whole request. False when every connection is busy or answering.
    bool evict() {
        for (auto& [id, c] : connections) {
            if (c->state == State::Head && !c->fresh && !c->headStarted) {
                close(*c);
                return true;
            }
        }
        return closeOldestWaiting([](const Connection&) { return true; });
    }

    /// Makes room for a new connection from `peer`, which has its most: closes its oldest one
    /// that is idle or has not sent a whole request (a probe from a busy address still gets in).
    /// False when all of them are busy or answering.
    bool evictFrom(const std::string& peer) {
        return closeOldestWaiting([&](const Connection& c) { return c.peer == peer; });
    }

    /// Closes the oldest connection `among` takes that is not being answered: one in its
    /// handshake, waiting for a request, or closing. False when there is none.
    template <typename Among>
    bool closeOldestWaiting(Among among) {
        Connection* oldest = nullptr;
        for (auto& [id, c] : connections) {
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

    void open(int fd, std::string peer, SteadyTime now) {
        auto c = std::make_unique<Connection>();
        c->id = nextId++;
        c->fd = fd;
        c->peer = std::move(peer);
        c->opened = now;
        c->deadline = now + limits.headTimeout;
        Poco::Net::Context::Ptr context;
        {
            std::lock_guard lock(tlsMutex);
            context = tls;
        }
        try {
            auto* plain = new Poco::Net::StreamSocketImpl(fd);
            Poco::Net::StreamSocket plainSocket(plain);
            plain->setBlocking(false);
            if (context) {
                c->socket = Poco::Net::StreamSocket(new AcceptedTls(plain, context));
                c->tls = true;
                c->state = State::Handshake;
            } else {
                c->socket = plainSocket;
                c->state = State::Head;
            }
        } catch (const Poco::Exception&) {
            releaseAddress(c->peer);
            return;
        }
        auto& stored = *c;
        connections.emplace(stored.id, std::move(c));
        want(stored, EPOLLIN);
        if (stored.state == State::Handshake) {
            handshake(stored, now);
        }
    }

    void releaseAddress(const std::string& peer) {
        const auto it = perAddress.find(peer);
        if (it != perAddress.end() && --it->second == 0) {
            perAddress.erase(it);
        }
    }

    void close(Connection& c) {
        want(c, 0);
        try {
            c.socket.close();
        } catch (const Poco::Exception&) {
            // Closing a connection that failed fails as well; it is gone either way.
        }
        releaseAddress(c.peer);
        connections.erase(c.id);
    }

    /// Stops writing; the peer's last bytes are read and dropped for a moment, so that what
    /// was sent is not lost to a reset.
    void closeGently(Connection& c, SteadyTime now) {
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

    void scan(SteadyTime now) {
        if (!listening && now >= acceptPausedUntil) {
            watch(listener.impl()->sockfd(), kListenerId, EPOLLIN, false);
            listening = true;
        }
        const bool busy = crowded();
        std::vector<Connection*> expired;
        std::vector<Connection*> due;
        for (auto& [id, c] : connections) {
            switch (c->state) {
                case State::Handshake:
                case State::Head:
                case State::Closing: {
                    const bool idle = c->state == State::Head && !c->fresh && !c->headStarted;
                    if (now >= c->deadline ||
                        (idle && busy && now >= c->lastProgress + limits.crowdedIdleTimeout)) {
                        expired.push_back(c.get());
                    }
                    break;
                }
                case State::Writing:
                    if (c->notBefore != SteadyTime{} && now >= c->notBefore) {
                        due.push_back(c.get());
                    } else if (c->notBefore == SteadyTime{} &&
                               now >= c->lastProgress + limits.sendTimeout) {
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
        for (auto* c : due) {
            c->notBefore = {};
            c->lastProgress = now;
            writeMore(*c, now);
        }
    }

    void onEvent(Connection& c, std::uint32_t what, SteadyTime now) {
        if ((what & EPOLLERR) != 0) {
            close(c);
            return;
        }
        switch (c.state) {
            case State::Handshake:
                handshake(c, now);
                break;
            case State::Head:
                readHead(c, now);
                break;
            case State::Writing:
                writeMore(c, now);
                break;
            case State::Closing: {
                std::array<char, 4096> sink{};
                for (;;) {
                    const auto io = receive(c, sink.data(), sink.size());
                    if (io.closed) {
                        close(c);
                        return;
                    }
                    if (io.bytes == 0) {
                        return;
                    }
                }
            }
            case State::Busy:
                want(c, 0);
                break;
        }
    }

    // ---- reading and writing ----

    Io receive(Connection& c, char* buffer, std::size_t size) {
        return receiveSome(c.fd, c.tls ? &c.socket : nullptr, buffer, size);
    }

    Io send(Connection& c, const char* data, std::size_t size) {
        return sendSome(c.fd, c.tls ? &c.socket : nullptr, data, size);
    }

    void handshake(Connection& c, SteadyTime now) {
        int result = 0;
        try {
            result = static_cast<Poco::Net::SecureStreamSocketImpl*>(c.socket.impl())
                         ->completeHandshake();
        } catch (const Poco::Exception&) {
            close(c);
            return;
        }
        if (result == 1) {
            c.state = State::Head;
            want(c, EPOLLIN);
            readHead(c, now);
        } else if (result == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ) {
            want(c, EPOLLIN);
        } else if (result == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE) {
            want(c, EPOLLOUT);
        } else {
            close(c);
        }
    }

    void readHead(Connection& c, SteadyTime now) {
        std::array<char, kReadChunk> buffer{};
        while (c.in.size() < kMaxRequestHead + kReadChunk) {
            const auto io = receive(c, buffer.data(), buffer.size());
            if (io.closed) {
                // A client may send its request and close its side at once: what it sent is
                // still answered, then the connection closes.
                c.peerClosed = true;
                want(c, 0);
                break;
            }
            if (io.bytes == 0) {
                want(c, io.wantWrite ? EPOLLOUT : EPOLLIN);
                break;
            }
            c.in.append(buffer.data(), io.bytes);
        }
        const auto id = c.id;
        nextRequest(c, now);
        const auto it = connections.find(id);
        if (it != connections.end() && it->second->peerClosed && it->second->state == State::Head) {
            close(*it->second);
        }
    }

    /// Answers the request at the front of what was read, if it arrived whole.
    void nextRequest(Connection& c, SteadyTime now) {
        if (c.in.empty()) {
            return;
        }
        if (!c.headStarted) {
            c.headStarted = true;
            c.deadline = std::min(c.deadline, now + limits.headTimeout);
        }
        auto reading = readRequestHead(c.in);
        if (std::holds_alternative<HeadIncomplete>(reading)) {
            return;
        }
        if (const auto* refusal = std::get_if<HeadRefusal>(&reading)) {
            auto reply =
                textReply(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(refusal->status),
                          "Bad request: " + refusal->why + ".\n");
            reply.close = true;
            c.keepAlive = false;
            c.head = false;
            startWriting(c, std::move(reply), now);
            return;
        }
        auto& head = std::get<RequestHead>(reading);
        c.in.erase(0, head.length);
        c.keepAlive = head.keepAlive && !head.hasBody;
        c.head = head.request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD;
        Request request{std::move(head.request), c.peer, now};
        Route route;
        try {
            route = handlers.route(request);
        } catch (const std::exception&) {
            route.reply =
                textReply(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "Internal error.\n");
        }
        if (route.reply) {
            startWriting(c, std::move(*route.reply), now);
            return;
        }
        c.state = State::Busy;
        want(c, 0);
        if (!queue(route.lane, c.id, std::move(request))) {
            auto busy = textReply(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                                  "Busy; try again in a moment.\n");
            busy.head.set("Retry-After", "1");
            busy.close = true;
            startWriting(c, std::move(busy), now);
        }
    }

    std::size_t fileAnswers() const {
        return static_cast<std::size_t>(
            std::count_if(connections.begin(), connections.end(),
                          [](const auto& entry) { return entry.second->file.get() >= 0; }));
    }

    void startWriting(Connection& c, Reply reply, SteadyTime now) {
        if (reply.file.get() >= 0 && !c.head && fileAnswers() >= limits.maxFileAnswers) {
            reply = textReply(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                              "Too many downloads at once; try again in a moment.\n");
            reply.head.set("Retry-After", "5");
        }
        const bool keep = c.keepAlive && !c.peerClosed && !reply.close && !stopping && !crowded();
        const bool withFile = reply.file.get() >= 0;
        if (reply.head.getContentLength64() == Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH) {
            reply.head.setContentLength64(
                static_cast<Poco::Int64>(withFile ? reply.length : reply.body.size()));
        }
        reply.head.setDate(Poco::Timestamp());
        reply.head.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
        reply.head.setKeepAlive(keep);
        std::ostringstream head;
        reply.head.write(head);
        c.out = head.str();
        c.outAt = 0;
        if (!c.head) {
            c.out += reply.body;
            if (withFile) {
                c.file = std::move(reply.file);
                c.fileOffset = reply.offset;
                c.fileLeft = reply.length;
            }
        }
        c.closeAfter = !keep;
        c.state = State::Writing;
        c.lastProgress = now;
        c.notBefore = reply.notBefore > now ? reply.notBefore : SteadyTime{};
        if (c.notBefore != SteadyTime{}) {
            want(c, 0);
            return;
        }
        writeMore(c, now);
    }

    void writeMore(Connection& c, SteadyTime now) {
        std::size_t turn = 0;
        for (;;) {
            if (c.outAt == c.out.size()) {
                if (c.fileLeft == 0) {
                    finish(c, now);
                    return;
                }
                c.out.resize(
                    static_cast<std::size_t>(std::min<std::uint64_t>(c.fileLeft, kFileChunk)));
                const auto n = ::pread(c.file.get(), c.out.data(), c.out.size(),
                                       static_cast<off_t>(c.fileOffset));
                if (n <= 0) {
                    close(c);  // the file shrank: the promised length cannot be kept
                    return;
                }
                c.out.resize(static_cast<std::size_t>(n));
                c.outAt = 0;
                c.fileOffset += static_cast<std::uint64_t>(n);
                c.fileLeft -= static_cast<std::uint64_t>(n);
            }
            if (turn >= kWriteTurn) {
                want(c, EPOLLOUT);
                return;
            }
            const auto io = send(c, c.out.data() + c.outAt, c.out.size() - c.outAt);
            if (io.closed) {
                close(c);
                return;
            }
            if (io.bytes == 0) {
                want(c, io.wantRead ? EPOLLIN : EPOLLOUT);
                return;
            }
            c.outAt += io.bytes;
            turn += io.bytes;
            c.lastProgress = now;
        }
    }

    void finish(Connection& c, SteadyTime now) {
        c.out.clear();
        c.out.shrink_to_fit();
        c.outAt = 0;
        c.file = OwnedFile();
        if (c.closeAfter) {
            closeGently(c, now);
            return;
        }
        c.state = State::Head;
        c.fresh = false;
        c.headStarted = false;
        c.lastProgress = now;
        c.deadline = now + limits.idleTimeout;
        want(c, EPOLLIN);
        nextRequest(c, now);
    }
};

HttpFront::HttpFront(Poco::Net::ServerSocket socket, Handlers handlers, Limits limits,
                     Poco::Net::Context::Ptr tls)
    : impl_(
          std::make_unique<Impl>(std::move(socket), std::move(handlers), limits, std::move(tls))) {}

HttpFront::~HttpFront() = default;

void HttpFront::setTls(Poco::Net::Context::Ptr tls) {
    std::lock_guard lock(impl_->tlsMutex);
    impl_->tls = std::move(tls);
}

std::size_t HttpFront::maxConnections() const {
    return impl_->maxConnections;
}

}  // namespace confcap::status
