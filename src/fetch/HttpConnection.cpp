#include "HttpConnection.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <mutex>
#include <ostream>

#include <Poco/Delegate.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/VerificationErrorArgs.h>

#include "confcap/core/Error.h"

namespace confcap::fetch {

namespace {

// The reason OpenSSL gave for rejecting a certificate on this thread's last handshake. Poco only
// reports "certificate verify failed"; the reason ("self-signed certificate") comes through
// SSLManager's event, which fires on the thread doing the handshake.
thread_local std::string verificationError;

void onVerificationError(const void*, Poco::Net::VerificationErrorArgs& args) {
    verificationError = args.errorMessage();
}

Poco::Timespan timespan(std::chrono::milliseconds d) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(d.count()) * 1000);
}

bool mentionsCertificate(const Poco::Exception& error) {
    const std::string text = error.displayText();
    return text.find("certificate") != std::string::npos ||
           text.find("Certificate") != std::string::npos;
}

}  // namespace

// Poco keeps the session's raw read, its buffer fill and its reconnect decision protected; this
// opens them up for one session class (plain or TLS) without touching anything else.
class PocoSession {
public:
    virtual ~PocoSession() = default;
    virtual Poco::Net::HTTPClientSession& session() = 0;
    virtual bool willReconnect() const = 0;
    virtual int readBody(char* buffer, std::streamsize size) = 0;
    virtual int bufferedBytes() const = 0;
};

namespace {

template <class Base>
class OpenSession final : public Base, public PocoSession {
public:
    using Base::Base;
    Poco::Net::HTTPClientSession& session() override { return *this; }
    bool willReconnect() const override { return !this->connected() || this->mustReconnect(); }
    int readBody(char* buffer, std::streamsize size) override { return this->read(buffer, size); }
    int bufferedBytes() const override { return this->buffered(); }
};

}  // namespace

HttpConnection::HttpConnection(Endpoint endpoint, Poco::Net::Context::Ptr tls)
    : endpoint_(std::move(endpoint)) {
    if (endpoint_.secure()) {
        session_ = std::make_unique<OpenSession<Poco::Net::HTTPSClientSession>>(
            endpoint_.host, endpoint_.port, tls);
    } else {
        session_ = std::make_unique<OpenSession<Poco::Net::HTTPClientSession>>(endpoint_.host,
                                                                               endpoint_.port);
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
    verificationError.clear();
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

    if (dynamic_cast<const Poco::Net::CertificateValidationException*>(&error) ||
        dynamic_cast<const Poco::Net::InvalidCertificateException*>(&error) ||
        (dynamic_cast<const Poco::Net::SSLException*>(&error) &&
         (!verificationError.empty() || mentionsCertificate(error)))) {
        const std::string reason =
            verificationError.empty() ? error.displayText() : verificationError;
        throw FetchError("Could not verify the TLS certificate of " + url + " (" + reason +
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
        dynamic_cast<const Poco::Net::SSLConnectionUnexpectedlyClosedException*>(&error)) {
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

void initializeTlsOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        Poco::Net::SSLManager::instance().ClientVerificationError +=
            Poco::delegate(&onVerificationError);
    });
}

}  // namespace confcap::fetch
