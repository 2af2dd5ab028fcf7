#include "FrontSocket.h"

#include <Poco/Exception.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>

#include "confcap/tls/TlsModule.h"

namespace confcap::status {

namespace {

constexpr std::size_t kTlsRecord = 16 * 1024;

/// What a TLS read or write that returned `n` means.
Io tlsIo(int n) {
    Io io;
    if (n > 0) {
        io.bytes = static_cast<std::size_t>(n);
    } else if (n == tls::kWantRead) {
        io.wantRead = true;
    } else if (n == tls::kWantWrite) {
        io.wantWrite = true;
    } else {
        io.closed = true;
    }
    return io;
}

}  // namespace

void watchFd(int epoll, int fd, std::uint64_t id, std::uint32_t events, bool modify) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = id;
    ::epoll_ctl(epoll, modify ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
}

/// The soft limit of open files raised to `wanted` (at most the hard limit), never lowered; the
/// limit in force. Not to the hard limit: a child process started later closes every
/// descriptor up to the limit, slow when it is a million.
rlim_t raiseFileLimit(rlim_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return 1024;
    }
    const auto target = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
        rlimit raised = limit;
        raised.rlim_cur = target;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            return raised.rlim_cur;
        }
    }
    return limit.rlim_cur;
}

/// The connections a limit of `files` open files allows: two descriptors each (its socket and
/// a file it sends), beside the recorder's own.
std::size_t connectionsFor(rlim_t files) {
    const auto reserve = std::min(kOtherFiles, files / 2);
    return static_cast<std::size_t>(
        std::clamp<rlim_t>((files - reserve) / 2, 16, kMostConnections));
}

std::string addressText(const sockaddr_storage& address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, text,
                    sizeof text);
    } else if (address.ss_family == AF_INET6) {
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, text,
                    sizeof text);
    }
    return text;
}

Io receiveSome(int fd, Poco::Net::StreamSocket* tls, char* buffer, std::size_t size) {
    Io io;
    if (tls == nullptr) {
        const auto n = ::recv(fd, buffer, size, MSG_DONTWAIT);
        if (n > 0) {
            io.bytes = static_cast<std::size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            io.wantRead = true;
        } else {
            io.closed = true;
        }
        return io;
    }
    try {
        io = tlsIo(tls->receiveBytes(buffer, static_cast<int>(size)));
    } catch (const Poco::Exception&) {
        io.closed = true;
    }
    return io;
}

Io sendSome(int fd, Poco::Net::StreamSocket* tls, const char* data, std::size_t size) {
    Io io;
    if (tls == nullptr) {
        const auto n = ::send(fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            io.bytes = static_cast<std::size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            io.wantWrite = true;
        } else {
            io.closed = true;
        }
        return io;
    }
    try {
        // OpenSSL wants a write it could not finish repeated with the same bytes: the
        // chunk depends only on what is left, which a failed write leaves as it was.
        io = tlsIo(tls->sendBytes(data, static_cast<int>(std::min(size, kTlsRecord))));
    } catch (const Poco::Exception&) {
        io.closed = true;
    }
    return io;
}

}  // namespace confcap::status
