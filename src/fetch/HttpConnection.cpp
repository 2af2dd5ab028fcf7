#include "HttpConnection.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <mutex>
#include <ostream>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>

#include "confcap/core/Error.h"
#include "confcap/tls/TlsModule.h"

namespace confcap::fetch {

namespace {

Poco::Timespan timespan(std::chrono::milliseconds d) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(d.count()) * 1000);
}

}  // namespace

HttpConnection::HttpConnection(Endpoint endpoint, tls::ContextPtr tls)
    : endpoint_(std::move(endpoint)) {
    if (endpoint_.secure()) {
        session_ = tls::module().clientSession(endpoint_.host, endpoint_.port, std::move(tls));
    } else {
        session_ = std::make_unique<tls::OpenedSession<Poco::Net::HTTPClientSession>>(
            endpoint_.host, endpoint_.port);
    }
    session_->session().setKeepAlive(true);
}

HttpConnection::~HttpConnection() = default;

bool HttpConnection::needsConnect() const {
    return session_->willReconnect();
}

void HttpConnection::setTimeouts(std::chrono::milliseconds connect,
                                 std::chrono::milliseconds read) {
    readTimeout_ = read;
    auto& session = session_->session();
    session.setTimeout(timespan(connect), timespan(read), timespan(read));
    // Poco applies the timeouts to the socket only when it connects; a kept-alive socket needs
    // them set directly.
    if (session.connected()) {
        session.socket().setReceiveTimeout(timespan(read));
        session.socket().setSendTimeout(timespan(read));
    }
}

void HttpConnection::send(Poco::Net::HTTPRequest& request) {
    if (endpoint_.secure()) {
        tls::module().clearVerificationError();
    }
    auto& session = session_->session();
    // Poco holds the request in the stream it returns until the response is read; flushing
    // sends it now, so a TLS wait for the answer does not start before the question is out.
    std::ostream& out = session.sendRequest(request);
    out.flush();
    if (!out) {
        if (const Poco::Exception* error = session.networkException()) {
            error->rethrow();
        }
        throw Poco::IOException("the request could not be sent");
    }
}

void HttpConnection::receive(Poco::Net::HTTPResponse& response) {
    awaitData();
    session_->session().receiveResponse(response);
}

// A TLS read that times out is retried by Poco for another full timeout before it gives up;
// waiting here first keeps a stall's detection at one read timeout, as for plain HTTP.
void HttpConnection::awaitData() {
    if (!endpoint_.secure() || session_->bufferedBytes() > 0) {
        return;
    }
    auto& socket = session_->session().socket();
    if (socket.available() > 0) {
        return;
    }
    pollfd descriptor{static_cast<int>(socket.impl()->sockfd()), POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + readTimeout_;
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const int ready = ::poll(&descriptor, 1, static_cast<int>(std::max<long>(0, left.count())));
        if (ready > 0) {
            return;
        }
        if (ready == 0) {
            throw Poco::TimeoutException();
        }
        if (errno != EINTR) {
            return;  // the read that follows reports the socket's error
        }
    }
}

std::size_t HttpConnection::readSome(char* buffer, std::size_t size) {
    awaitData();
    const auto n = static_cast<std::streamsize>(std::min<std::size_t>(size, INT_MAX));
    const int got = session_->readBody(buffer, n);
    return got > 0 ? static_cast<std::size_t>(got) : 0;
}

int HttpConnection::nativeHandle() const {
    auto& session = session_->session();
    return session.connected() ? static_cast<int>(session.socket().impl()->sockfd()) : -1;
}

void HttpConnection::shutdown(int nativeHandle) noexcept {
    if (nativeHandle >= 0) {
        ::shutdown(nativeHandle, SHUT_RDWR);
    }
}

std::string formatTimeout(std::chrono::milliseconds timeout) {
    const auto ms = timeout.count();
    if (ms % 1000 == 0) {
        return std::to_string(ms / 1000) + " s";
    }
    if (ms > 1000 && ms % 100 == 0) {
        return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
    }
    return std::to_string(ms) + " ms";
}

void throwFetchError(const Poco::Exception& error, const std::string& url, Phase phase,
                     std::chrono::milliseconds timeout) {
    using core::ErrorKind;
    using core::FetchError;
    const bool connecting = phase == Phase::Connect;

    // A TLS error can only come from a session of the TLS module, which is then loaded.
    const tls::Failure tlsFailure =
        tls::loaded() ? tls::module().failureOf(error) : tls::Failure::None;
    if (tlsFailure == tls::Failure::Certificate) {
        const std::string reason = tls::module().verificationError();
        throw FetchError("Could not verify the TLS certificate of " + url + " (" +
                             (reason.empty() ? error.displayText() : reason) +
                             "); if you trust it, pass the certificate of its issuer with "
                             "--ca-file.",
                         ErrorKind::Permanent, FetchError::Cause::Certificate);
    }
    if (dynamic_cast<const Poco::TimeoutException*>(&error)) {
        if (connecting) {
            throw FetchError("Could not connect to " + url + ": no answer within " +
                                 formatTimeout(timeout) + ".",
                             ErrorKind::Transient, FetchError::Cause::Timeout);
        }
        throw FetchError("Reading " + url + " stalled: no data for " + formatTimeout(timeout) + ".",
                         ErrorKind::Transient, FetchError::Cause::Timeout);
    }
    if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&error)) {
        throw FetchError("Could not connect to " + url + ": connection refused.",
                         ErrorKind::Transient, FetchError::Cause::Refused);
    }
    if (dynamic_cast<const Poco::Net::DNSException*>(&error)) {
        throw FetchError("Could not connect to " + url + ": its host name was not found.",
                         ErrorKind::Transient, FetchError::Cause::HostNotFound);
    }
    if (dynamic_cast<const Poco::Net::ConnectionResetException*>(&error) ||
        dynamic_cast<const Poco::Net::ConnectionAbortedException*>(&error) ||
        tlsFailure == tls::Failure::Closed) {
        throw FetchError("The connection to " + url + " was reset.", ErrorKind::Transient,
                         FetchError::Cause::Reset);
    }
    if (dynamic_cast<const Poco::Net::NoMessageException*>(&error)) {
        throw FetchError(url + " closed the connection without answering.", ErrorKind::Transient,
                         FetchError::Cause::Reset);
    }
    if (dynamic_cast<const Poco::Net::MessageException*>(&error)) {
        throw FetchError(url + " sent a malformed HTTP response (" + error.displayText() + ").",
                         ErrorKind::Transient);
    }
    if (connecting) {
        throw FetchError("Could not connect to " + url + ": " + error.displayText() + ".",
                         ErrorKind::Transient);
    }
    throw FetchError("Could not fetch " + url + ": " + error.displayText() + ".",
                     ErrorKind::Transient);
}

void initializeNetworkOnce() {
    static std::once_flag once;
    std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace confcap::fetch
