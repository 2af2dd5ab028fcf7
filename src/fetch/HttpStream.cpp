#include "confcap/fetch/HttpStream.h"

#include <algorithm>
#include <cstring>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPResponse.h>

#include "HttpStreamImpl.h"
#include "confcap/core/Error.h"

namespace confcap::fetch {

using core::ErrorKind;
using core::FetchError;

HttpStream::Impl::Impl(std::shared_ptr<ConnectionPool> connectionPool,
                       std::unique_ptr<HttpConnection> conn,
                       const Poco::Net::HTTPResponse& response, std::string url,
                       std::chrono::milliseconds timeout)
    : pool(std::move(connectionPool)),
      connection(std::move(conn)),
      handle(connection->nativeHandle()),
      status(static_cast<int>(response.getStatus())),
      finalUrl(std::move(url)),
      readTimeout(timeout),
      keepAlive(response.getKeepAlive()) {
    for (const auto& [name, value] : response) {
        headers.add(name, value);
    }
    if (status < 200 || status == 204 || status == 304) {
        framing = Framing::Length;
        contentLength = 0;
    } else if (response.getChunkedTransferEncoding()) {
        framing = Framing::Chunked;
        buffer_ = std::make_unique<char[]>(kBufferSize);
    } else if (response.hasContentLength()) {
        try {
            const auto length = response.getContentLength64();
            if (length >= 0) {
                framing = Framing::Length;
                contentLength = static_cast<std::uint64_t>(length);
            } else {
                framing = Framing::UntilClose;
            }
        } catch (const Poco::Exception&) {
            framing = Framing::UntilClose;
        }
    } else {
        framing = Framing::UntilClose;
    }
    if (framing == Framing::UntilClose) {
        keepAlive = false;
    }
    complete = contentLength == std::uint64_t{0};
}

HttpStream::Impl::~Impl() {
    pool->leave(*connection);
    if (complete && keepAlive && !failure && !cancelled()) {
        pool->giveBack(std::move(connection));
    }
}

bool HttpStream::Impl::cancelled() const noexcept {
    return aborted || pool->aborted();
}

void HttpStream::Impl::throwCancelled() const {
    throw FetchError("The transfer of " + finalUrl + " was cancelled.", ErrorKind::Permanent);
}

std::size_t HttpStream::Impl::read(char* buffer, std::size_t size) {
    if (failure) {
        std::rethrow_exception(failure);
    }
    if (finished) {
        return 0;
    }
    if (size == 0) {
        return 0;
    }
    try {
        std::size_t n = 0;
        switch (framing) {
            case Framing::Length:
                n = readLength(buffer, size);
                break;
            case Framing::Chunked:
                n = readChunked(buffer, size);
                break;
            case Framing::UntilClose:
                n = readUntilClose(buffer, size);
                break;
        }
        delivered += n;
        if (n == 0) {
            finished = true;
        }
        return n;
    } catch (...) {
        failure = std::current_exception();
        throw;
    }
}

bool HttpStream::Impl::skip(std::size_t limit) {
    char scratch[16 * 1024];
    std::size_t skipped = 0;
    while (skipped <= limit) {
        const std::size_t n = read(scratch, sizeof scratch);
        if (n == 0) {
            return true;
        }
        skipped += n;
    }
    return false;
}

void HttpStream::Impl::abort() noexcept {
    aborted = true;
    HttpConnection::shutdown(handle);
}

std::size_t HttpStream::Impl::socketRead(char* buffer, std::size_t size) {
    if (cancelled()) {
        throwCancelled();
    }
    std::size_t n = 0;
    try {
        n = connection->readSome(buffer, size);
    } catch (const Poco::Exception& error) {
        if (cancelled()) {
            throwCancelled();
        }
        throwFetchError(error, finalUrl, Phase::Body, readTimeout);
    }
    if (n == 0 && cancelled()) {
        throwCancelled();
    }
    return n;
}

std::size_t HttpStream::Impl::readLength(char* buffer, std::size_t size) {
    const std::uint64_t remaining = *contentLength - delivered;
    if (remaining == 0) {
        return 0;
    }
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size, remaining));
    const std::size_t n = socketRead(buffer, want);
    if (n == 0) {
        throw FetchError("The connection to " + finalUrl + " closed after " +
                             std::to_string(delivered) + " of " + std::to_string(*contentLength) +
                             " bytes.",
                         ErrorKind::Transient);
    }
    if (n == remaining) {
        complete = true;
    }
    return n;
}

std::size_t HttpStream::Impl::readUntilClose(char* buffer, std::size_t size) {
    const std::size_t n = socketRead(buffer, size);
    if (n == 0) {
        complete = true;
    }
    return n;
}

std::size_t HttpStream::Impl::readChunked(char* out, std::size_t size) {
    std::size_t produced = 0;
    std::string line;
    while (produced < size && chunkState_ != ChunkState::Done) {
        if (chunkState_ == ChunkState::Data) {
            const std::size_t room = size - produced;
            if (end_ > begin_) {
                const auto n = static_cast<std::size_t>(
                    std::min<std::uint64_t>({room, chunkLeft_, end_ - begin_}));
                std::memcpy(out + produced, buffer_.get() + begin_, n);
                begin_ += n;
                chunkLeft_ -= n;
                produced += n;
            } else if (produced > 0) {
                break;  // return what is here rather than wait for more
            } else if (chunkLeft_ >= kBufferSize / 4 && room >= kBufferSize / 4) {
                // A large chunk goes straight into the caller's buffer, without a copy.
                const auto want =
                    static_cast<std::size_t>(std::min<std::uint64_t>(room, chunkLeft_));
                const std::size_t n = socketRead(out, want);
                if (n == 0) {
                    throw FetchError(
                        "The connection to " + finalUrl + " closed in the middle of a chunk.",
                        ErrorKind::Transient);
                }
                chunkLeft_ -= n;
                produced += n;
            } else {
                fill();
            }
            if (chunkLeft_ == 0) {
                chunkState_ = ChunkState::DataEnd;
            }
        } else if (takeLine(line)) {
            handleLine(line);
        } else if (produced > 0) {
            break;
        } else {
            fill();
        }
    }
    if (chunkState_ == ChunkState::Done) {
        complete = true;
    }
    return produced;
}

void HttpStream::Impl::fill() {
    if (begin_ > 0) {
        std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    const std::size_t n = socketRead(buffer_.get() + end_, kBufferSize - end_);
    if (n == 0) {
        throw FetchError("The connection to " + finalUrl + " closed before the end of the body.",
                         ErrorKind::Transient);
    }
    end_ += n;
}

bool HttpStream::Impl::takeLine(std::string& line) {
    const char* first = buffer_.get() + begin_;
    const char* last = buffer_.get() + end_;
    const char* newline = std::find(first, last, '\n');
    if (newline == last) {
        if (end_ - begin_ > kMaxLine) {
            throw FetchError(finalUrl + " sent a malformed chunked body (a line is too long).",
                             ErrorKind::Permanent);
        }
        return false;
    }
    const char* stop = newline;
    if (stop > first && stop[-1] == '\r') {
        --stop;
    }
    line.assign(first, stop);
    begin_ += static_cast<std::size_t>(newline - first) + 1;
    return true;
}

void HttpStream::Impl::handleLine(const std::string& line) {
    switch (chunkState_) {
        case ChunkState::DataEnd:
            if (!line.empty()) {
                throw FetchError(finalUrl +
                                     " sent a malformed chunked body (no line end after "
                                     "a chunk).",
                                 ErrorKind::Permanent);
            }
            chunkState_ = ChunkState::Size;
            break;
        case ChunkState::Size: {
            std::uint64_t value = 0;
            std::size_t digits = 0;
            for (const char c : line) {
                int digit = 0;
                if (c >= '0' && c <= '9') {
                    digit = c - '0';
                } else if (c >= 'a' && c <= 'f') {
                    digit = c - 'a' + 10;
                } else if (c >= 'A' && c <= 'F') {
                    digit = c - 'A' + 10;
                } else {
                    break;  // chunk extensions and whitespace follow the size
                }
                if (++digits > 15) {
                    throw FetchError(finalUrl + " sent a malformed chunked body (chunk too large).",
                                     ErrorKind::Permanent);
                }
                value = value * 16 + static_cast<std::uint64_t>(digit);
            }
            if (digits == 0) {
                throw FetchError(finalUrl + " sent a malformed chunked body (bad chunk size).",
                                 ErrorKind::Permanent);
            }
            chunkLeft_ = value;
            chunkState_ = value == 0 ? ChunkState::Trailer : ChunkState::Data;
            break;
        }
        case ChunkState::Trailer:
            if (line.empty()) {
                chunkState_ = ChunkState::Done;
            }
            break;
        case ChunkState::Data:
        case ChunkState::Done:
            break;
    }
}

HttpStream::HttpStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpStream::~HttpStream() = default;

int HttpStream::status() const noexcept {
    return impl_->status;
}

const std::string& HttpStream::finalUrl() const noexcept {
    return impl_->finalUrl;
}

const HttpHeaders& HttpStream::headers() const noexcept {
    return impl_->headers;
}

std::optional<std::uint64_t> HttpStream::contentLength() const noexcept {
    return impl_->contentLength;
}

std::size_t HttpStream::read(char* buffer, std::size_t size) {
    return impl_->read(buffer, size);
}

std::uint64_t HttpStream::bytesRead() const noexcept {
    return impl_->delivered;
}

void HttpStream::abort() noexcept {
    impl_->abort();
}

}  // namespace confcap::fetch
