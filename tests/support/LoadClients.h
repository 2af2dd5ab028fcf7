// Clients that load an HTTP server under test on loopback with real sockets: connections that
// send half a request and wait, downloads that read slowly, and a timed GET as a probe sends it.
// Every client is bounded in count and time and talks only to 127.0.0.1.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace confcap::testing {

/// Raises the soft limit of open files to the hard limit; the limit in force.
inline std::uint64_t raiseOpenFileLimit() {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur;
}

/// A TCP connection from the loopback address `from` (port chosen by the system) to
/// 127.0.0.1:`port`, with a small receive buffer when `receiveBuffer` > 0; -1 when it fails.
inline int connectFrom(const std::string& from, std::uint16_t port, int receiveBuffer = 0) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    if (receiveBuffer > 0) {
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
    }
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from.c_str(), &local.sin_addr);
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Sends all of `text`; false when the connection failed.
inline bool sendAll(int fd, const std::string& text) {
    std::size_t at = 0;
    while (at < text.size()) {
        const auto n = ::send(fd, text.data() + at, text.size() - at, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        at += static_cast<std::size_t>(n);
    }
    return true;
}

/// True when the peer closed `fd` (or reset it): a read returns 0 or fails at once.
inline bool closedByPeer(int fd) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) {
        return false;
    }
    char byte = 0;
    return ::recv(fd, &byte, 1, MSG_DONTWAIT | MSG_PEEK) <= 0;
}

/// Connections that each sent half a request head (no blank line) and then wait.
class HalfOpenConnections {
public:
    /// Opens `count` connections to 127.0.0.1:`port`, `perAddress` from each of the loopback
    /// addresses 127.0.<firstNet>.1, 127.0.<firstNet>.2, ...
    HalfOpenConnections(std::uint16_t port, std::size_t count, std::size_t perAddress,
                        int firstNet = 1) {
        for (std::size_t i = 0; i < count; ++i) {
            const auto host = i / perAddress;
            const auto from = "127.0." + std::to_string(firstNet + static_cast<int>(host / 250)) +
                              "." + std::to_string(1 + host % 250);
            const int fd = connectFrom(from, port);
            if (fd < 0) {
                continue;
            }
            sendAll(fd, "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow");
            fds_.push_back(fd);
        }
    }
    ~HalfOpenConnections() {
        for (const int fd : fds_) {
            ::close(fd);
        }
    }
    HalfOpenConnections(const HalfOpenConnections&) = delete;
    HalfOpenConnections& operator=(const HalfOpenConnections&) = delete;

    std::size_t opened() const { return fds_.size(); }
    /// How many of them the server has closed by now.
    std::size_t closedByServer() const {
        std::size_t closed = 0;
        for (const int fd : fds_) {
            closed += closedByPeer(fd) ? 1u : 0u;
        }
        return closed;
    }

private:
    std::vector<int> fds_;
};

/// An HTTP/1.1 answer with a Content-Length, as a client read it.
struct RawAnswer {
    int status = 0;
    std::string head;
    std::string body;
    bool whole = false;
};

/// Reads answers from one connection in order: bytes read past an answer (the next one of
/// pipelined requests) are kept for the next call.
class AnswerReader {
public:
    explicit AnswerReader(int fd) : fd_(fd) {}

    /// Reads the next answer, `chunk` bytes at a time with `pause` between reads, until it is
    /// whole, the peer closes or `deadline` passes.
    RawAnswer next(std::chrono::steady_clock::time_point deadline, std::size_t chunk = 64 * 1024,
                   std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
        RawAnswer answer;
        std::vector<char> buffer(chunk);
        for (;;) {
            if (parse(answer)) {
                return answer;
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                break;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) {
                continue;
            }
            const auto n = ::recv(fd_, buffer.data(), buffer.size(), 0);
            if (n <= 0) {
                break;
            }
            data_.append(buffer.data(), static_cast<std::size_t>(n));
            if (pause.count() > 0) {
                std::this_thread::sleep_for(pause);
            }
        }
        if (answer.status != 0) {
            answer.body = data_.substr(answer.head.size());
        }
        return answer;
    }

private:
    // Takes a whole answer from the front of what was read; fills in the head as soon as it
    // has arrived.
    bool parse(RawAnswer& answer) {
        const auto headEnd = data_.find("\r\n\r\n");
        if (headEnd == std::string::npos) {
            return false;
        }
        answer.head = data_.substr(0, headEnd + 4);
        answer.status = std::stoi(answer.head.substr(9, 3));
        const auto at = answer.head.find("Content-Length: ");
        const std::size_t length =
            at == std::string::npos ? 0 : std::stoull(answer.head.substr(at + 16));
        if (data_.size() < headEnd + 4 + length) {
            return false;
        }
        answer.body = data_.substr(headEnd + 4, length);
        answer.whole = true;
        data_.erase(0, headEnd + 4 + length);
        return true;
    }

    int fd_;
    std::string data_;
};

/// Reads one HTTP/1.1 answer from `fd` (AnswerReader::next); what follows it is dropped.
inline RawAnswer readAnswer(int fd, std::chrono::steady_clock::time_point deadline,
                            std::size_t chunk = 64 * 1024,
                            std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
    return AnswerReader(fd).next(deadline, chunk, pause);
}

/// One GET as a probe sends it, on a new connection from 127.0.0.1: its status and how long the
/// whole answer took (status 0 when none came within `timeout`).
struct TimedGet {
    int status = 0;
    double seconds = 0;
    std::string body;
};

inline TimedGet timedGet(std::uint16_t port, const std::string& path,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                         const std::string& extraHeaders = "") {
    const auto start = std::chrono::steady_clock::now();
    TimedGet result;
    const int fd = connectFrom("127.0.0.1", port);
    if (fd >= 0) {
        if (sendAll(fd, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders +
                            "Connection: close\r\n\r\n")) {
            const auto answer = readAnswer(fd, start + timeout);
            if (answer.whole) {
                result.status = answer.status;
                result.body = answer.body;
            }
        }
        ::close(fd);
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

/// A download of `path` on a thread, from `from`, with a small receive buffer, reading `chunk`
/// bytes every `pause`: a client on a thin link.
class SlowDownload {
public:
    SlowDownload(std::uint16_t port, std::string path, std::string from, std::size_t chunk,
                 std::chrono::milliseconds pause, std::chrono::seconds limit)
        : thread_([=, this] {
              const int fd = connectFrom(from, port, 8 * 1024);
              if (fd < 0) {
                  return;
              }
              if (sendAll(fd, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) {
                  answer_ = readAnswer(fd, std::chrono::steady_clock::now() + limit, chunk, pause);
              }
              ::close(fd);
          }) {}
    ~SlowDownload() {
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    SlowDownload(const SlowDownload&) = delete;
    SlowDownload& operator=(const SlowDownload&) = delete;

    /// Waits for the download to end and returns what came.
    const RawAnswer& answer() {
        if (thread_.joinable()) {
            thread_.join();
        }
        return answer_;
    }

private:
    RawAnswer answer_;
    std::thread thread_;
};

}  // namespace confcap::testing
