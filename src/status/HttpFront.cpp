#include "HttpFront.h"

#include <Poco/Exception.h>
#include <Poco/Timestamp.h>

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
#include <csignal>
#include <sstream>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "FrontConnections.h"
#include "FrontLanes.h"
#include "FrontSocket.h"
#include "confcap/status/RequestHead.h"
#include "confcap/tls/TlsModule.h"

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
constexpr auto kScanEvery = 50ms;

/// The connections `limits` allow, after raising the open-files limit for them.
std::size_t allowedConnections(const HttpFront::Limits& limits) {
    const rlim_t wanted =
        2 * (limits.maxConnections != 0 ? limits.maxConnections : kMostConnections) + kOtherFiles;
    const auto files = raiseFileLimit(wanted);
    return limits.maxConnections != 0 ? limits.maxConnections : connectionsFor(files);
}

/// `fd`, a descriptor the event loop needs; throws when it could not be made.
int loopFile(int fd) {
    if (fd < 0) {
        throw Poco::IOException("cannot create the event loop");
    }
    return fd;
}

}  // namespace

using front::Connection;
using front::State;

struct HttpFront::Impl {
    Poco::Net::ServerSocket listener;
    Handlers handlers;
    Limits limits;
    std::size_t maxConnections;
    int epoll;
    int wake;
    std::atomic<bool> stopping{false};

    // Owned by the front's thread.
    FrontConnections table;
    SteadyTime acceptPausedUntil{};
    bool listening = false;

    FrontLanes lanes;
    std::thread thread;

    Impl(Poco::Net::ServerSocket s, Handlers h, Limits l, tls::ContextPtr context)
        : listener(std::move(s)),
          handlers(std::move(h)),
          limits(l),
          maxConnections(allowedConnections(limits)),
          epoll(loopFile(::epoll_create1(EPOLL_CLOEXEC))),
          wake(loopFile(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))),
          table(limits, maxConnections, epoll, std::move(context)),
          lanes(handlers.respond, limits, [this] { notifyLoop(); }) {
        listener.setBlocking(false);
        watchFd(epoll, listener.impl()->sockfd(), kListenerId, EPOLLIN, false);
        listening = true;
        watchFd(epoll, wake, kWakeId, EPOLLIN, false);
        thread = std::thread([this] { loop(); });
    }

    ~Impl() {
        stopping = true;
        lanes.stop();
        notifyLoop();
        thread.join();
        table.clear();
        ::close(wake);
        ::close(epoll);
    }

    void notifyLoop() {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto n = ::write(wake, &one, sizeof one);
    }

    void takeDone(SteadyTime now) {
        for (auto& [id, reply] : lanes.takeDone()) {
            if (auto* c = table.find(id)) {
                startWriting(*c, std::move(reply), now);
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
                } else if (auto* c = table.find(id)) {
                    onEvent(*c, what, now);
                }
            }
            takeDone(Clock::now());
            if (Clock::now() >= nextScan) {
                scan(Clock::now());
                nextScan = Clock::now() + kScanEvery;
            }
        }
    }

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
            auto* c = table.admit(fd, addressText(address), now);
            if (c != nullptr && c->state == State::Handshake) {
                handshake(*c, now);
            }
        }
    }

    void scan(SteadyTime now) {
        if (!listening && now >= acceptPausedUntil) {
            watchFd(epoll, listener.impl()->sockfd(), kListenerId, EPOLLIN, false);
            listening = true;
        }
        for (auto* c : table.expire(now)) {
            c->notBefore = {};
            c->lastProgress = now;
            writeMore(*c, now);
        }
    }

    void onEvent(Connection& c, std::uint32_t what, SteadyTime now) {
        if ((what & EPOLLERR) != 0) {
            table.close(c);
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
                        table.close(c);
                        return;
                    }
                    if (io.bytes == 0) {
                        return;
                    }
                }
            }
            case State::Busy:
                table.want(c, 0);
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
        switch (tls::module().completeHandshake(c.socket)) {
            case tls::Handshake::Done:
                c.state = State::Head;
                table.want(c, EPOLLIN);
                readHead(c, now);
                break;
            case tls::Handshake::WantRead:
                table.want(c, EPOLLIN);
                break;
            case tls::Handshake::WantWrite:
                table.want(c, EPOLLOUT);
                break;
            case tls::Handshake::Failed:
                table.close(c);
                break;
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
                table.want(c, 0);
                break;
            }
            if (io.bytes == 0) {
                table.want(c, io.wantWrite ? EPOLLOUT : EPOLLIN);
                break;
            }
            c.in.append(buffer.data(), io.bytes);
        }
        const auto id = c.id;
        nextRequest(c, now);
        auto* after = table.find(id);
        if (after != nullptr && after->peerClosed && after->state == State::Head) {
            table.close(*after);
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
        table.want(c, 0);
        if (!lanes.queue(route.lane, c.id, std::move(request))) {
            auto busy = textReply(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                                  "Busy; try again in a moment.\n");
            busy.head.set("Retry-After", "1");
            busy.close = true;
            startWriting(c, std::move(busy), now);
        }
    }

    void startWriting(Connection& c, Reply reply, SteadyTime now) {
        if (reply.file.get() >= 0 && !c.head && table.fileAnswers() >= limits.maxFileAnswers) {
            reply = textReply(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                              "Too many downloads at once; try again in a moment.\n");
            reply.head.set("Retry-After", "5");
        }
        const bool keep =
            c.keepAlive && !c.peerClosed && !reply.close && !stopping && !table.crowded();
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
            table.want(c, 0);
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
                    table.close(c);  // the file shrank: the promised length cannot be kept
                    return;
                }
                c.out.resize(static_cast<std::size_t>(n));
                c.outAt = 0;
                c.fileOffset += static_cast<std::uint64_t>(n);
                c.fileLeft -= static_cast<std::uint64_t>(n);
            }
            if (turn >= kWriteTurn) {
                table.want(c, EPOLLOUT);
                return;
            }
            const auto io = send(c, c.out.data() + c.outAt, c.out.size() - c.outAt);
            if (io.closed) {
                table.close(c);
                return;
            }
            if (io.bytes == 0) {
                table.want(c, io.wantRead ? EPOLLIN : EPOLLOUT);
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
            table.closeGently(c, now);
            return;
        }
        c.state = State::Head;
        c.fresh = false;
        c.headStarted = false;
        c.lastProgress = now;
        c.deadline = now + limits.idleTimeout;
        table.want(c, EPOLLIN);
        nextRequest(c, now);
    }
};

HttpFront::HttpFront(Poco::Net::ServerSocket socket, Handlers handlers, Limits limits,
                     tls::ContextPtr tls)
    : impl_(
          std::make_unique<Impl>(std::move(socket), std::move(handlers), limits, std::move(tls))) {}

HttpFront::~HttpFront() = default;

void HttpFront::setTls(tls::ContextPtr tls) {
    impl_->table.setTls(std::move(tls));
}

std::size_t HttpFront::maxConnections() const {
    return impl_->maxConnections;
}

}  // namespace confcap::status
