// Internal to the fetch module: the state behind an HttpStream, made by HttpClient once a final
// response header has arrived, and the body decoding (length, chunked, until close).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "ConnectionPool.h"
#include "HttpConnection.h"
#include "confcap/fetch/HttpStream.h"

namespace Poco::Net {
class HTTPResponse;
}

namespace confcap::fetch {

struct HttpStream::Impl {
    /// How the body's end is marked.
    enum class Framing { Length, Chunked, UntilClose };

    /// Takes over `connection`, which must be registered with `pool` (ConnectionPool::enter).
    Impl(std::shared_ptr<ConnectionPool> pool, std::unique_ptr<HttpConnection> connection,
         const Poco::Net::HTTPResponse& response, std::string finalUrl,
         std::chrono::milliseconds readTimeout);
    /// Leaves the pool, and gives the connection back when the body was read to the end.
    ~Impl();

    std::size_t read(char* buffer, std::size_t size);
    /// Reads and drops at most `limit` body bytes; true when the body ended within them.
    bool skip(std::size_t limit);
    void abort() noexcept;

    std::shared_ptr<ConnectionPool> pool;
    std::unique_ptr<HttpConnection> connection;
    int handle = -1;
    int status = 0;
    std::string finalUrl;
    HttpHeaders headers;
    Framing framing = Framing::Length;
    std::optional<std::uint64_t> contentLength;
    std::chrono::milliseconds readTimeout;
    bool keepAlive = false;
    std::uint64_t delivered = 0;
    bool complete = false;  // the body's end has been reached on the wire
    bool finished = false;  // read() has returned 0
    std::exception_ptr failure;
    std::atomic<bool> aborted{false};

private:
    enum class ChunkState { Size, Data, DataEnd, Trailer, Done };
    static constexpr std::size_t kBufferSize = 64 * 1024;
    static constexpr std::size_t kMaxLine = 8 * 1024;

    std::size_t readLength(char* buffer, std::size_t size);
    std::size_t readUntilClose(char* buffer, std::size_t size);
    std::size_t readChunked(char* buffer, std::size_t size);
    std::size_t socketRead(char* buffer, std::size_t size);
    void fill();
    bool takeLine(std::string& line);
    void handleLine(const std::string& line);
    bool cancelled() const noexcept;
    [[noreturn]] void throwCancelled() const;

    ChunkState chunkState_ = ChunkState::Size;
    std::uint64_t chunkLeft_ = 0;
    std::unique_ptr<char[]> buffer_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace confcap::fetch
