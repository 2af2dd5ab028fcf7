// TLS on demand. Everything confcap does with TLS goes through tls::Module: sessions to https
// URLs, the status server's certificate and the connections it accepts, the demo's TLS server.
// The module is a shared object of its own (confcap-tls.so, linked with Poco NetSSL and OpenSSL),
// loaded the first time TLS is used: a run that speaks only plain HTTP, and every command that
// fetches nothing, never maps OpenSSL, and starts sooner in less memory.
//
// Code outside the module never sees NetSSL or OpenSSL: a TLS context is an opaque tls::Context,
// shared and released through a deleter the module made, and the sockets are Poco Net's
// StreamSocket and ServerSocket, whose implementations the module supplies and which call them
// virtually.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ios>
#include <memory>
#include <string>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

namespace Poco {
class Exception;
}  // namespace Poco

namespace confcap::tls {

/// A TLS context (certificates, verification, protocols), made by the module and used by any
/// number of connections on any threads. Opaque outside the module.
class Context;
using ContextPtr = std::shared_ptr<const Context>;

/// What a non-blocking TLS read or write on an acceptedSocket() returns when it must wait for the
/// socket to become readable or writable (Poco's SecureStreamSocket::ERR_SSL_WANT_READ/WRITE).
inline constexpr int kWantRead = -1;
inline constexpr int kWantWrite = -2;

/// Poco's client session (plain or TLS) with its raw body read, its buffer fill and its reconnect
/// decision opened up, so that the fetch module can read a body itself.
class ClientSession {
public:
    virtual ~ClientSession() = default;
    virtual Poco::Net::HTTPClientSession& session() = 0;
    virtual bool willReconnect() const = 0;
    virtual int readBody(char* buffer, std::streamsize size) = 0;
    virtual int bufferedBytes() const = 0;
};

/// A ClientSession over Poco's plain (HTTPClientSession) or TLS (HTTPSClientSession) session.
template <class Base>
class OpenedSession final : public Base, public ClientSession {
public:
    using Base::Base;
    Poco::Net::HTTPClientSession& session() override { return *this; }
    bool willReconnect() const override { return !this->connected() || this->mustReconnect(); }
    int readBody(char* buffer, std::streamsize size) override { return this->read(buffer, size); }
    int bufferedBytes() const override { return this->buffered(); }
};

/// What a failed exchange had to do with TLS, where that changes how it is reported.
enum class Failure {
    None,         ///< nothing of the two below (not a TLS error, or another one)
    Certificate,  ///< the peer's certificate was not accepted
    Closed,       ///< the peer closed the connection in the middle of TLS
};

/// What completing a server-side handshake needs next.
enum class Handshake { Done, WantRead, WantWrite, Failed };

/// The TLS module's interface. Every call may come from any thread.
class Module {
public:
    virtual ~Module() = default;

    /// The client context that verifies servers against the system's CA store and `caFile` too
    /// when it is not empty, requiring TLS 1.2 at least. One per file for the whole process
    /// (loading the store costs tens of milliseconds). Throws Poco::Exception.
    virtual ContextPtr clientContext(const std::string& caFile) const = 0;
    /// An unconnected client session to host:port over a clientContext().
    virtual std::unique_ptr<ClientSession> clientSession(const std::string& host,
                                                         std::uint16_t port,
                                                         const ContextPtr& context) const = 0;
    /// Forgets the reason for a rejected certificate this thread saw last.
    virtual void clearVerificationError() const = 0;
    /// The reason OpenSSL gave for rejecting a certificate in this thread's last handshake
    /// ("self-signed certificate"), or "": Poco's exception only says "certificate verify failed".
    virtual std::string verificationError() const = 0;
    /// What `error`, thrown by a session of clientSession(), had to do with TLS.
    virtual Failure failureOf(const Poco::Exception& error) const = 0;

    /// A server context for the certificate (chain) and its key, loaded now; TLS 1.2 at least,
    /// strong ciphers only, clients not asked for certificates. Null when the key does not
    /// belong to the certificate; throws Poco::Exception when either cannot be loaded.
    virtual ContextPtr serverContext(const std::filesystem::path& certificate,
                                     const std::filesystem::path& key) const = 0;
    /// A listening socket whose accepted connections speak TLS over a serverContext(), for
    /// Poco's HTTPServer.
    virtual Poco::Net::ServerSocket listeningSocket(const Poco::Net::SocketAddress& address,
                                                    int backlog,
                                                    const ContextPtr& context) const = 0;
    /// Server-side TLS over a socket just accepted (non-blocking) with a serverContext(); the
    /// handshake is completed by completeHandshake(), and reads and writes return kWantRead or
    /// kWantWrite when they must wait.
    virtual Poco::Net::StreamSocket acceptedSocket(const Poco::Net::StreamSocket& plain,
                                                   const ContextPtr& context) const = 0;
    /// Takes the handshake of an acceptedSocket() one step further. Never throws.
    virtual Handshake completeHandshake(Poco::Net::StreamSocket& socket) const noexcept = 0;
};

/// The module, loaded on the first call: from the file named by useModuleFile() when one is, else
/// from beside the program (a build folder) or from the installation's `lib/confcap/` (found from
/// the program's own folder). Thread-safe. Throws core::NotInstalledError, with a sentence naming
/// where it looked, when the module is missing, cannot be loaded or belongs to another build.
const Module& module();

/// Whether module() has loaded the module: until then, no TLS session or error can exist.
bool loaded() noexcept;

/// Loads the module from `file` instead; for programs that do not live beside it (the test
/// executables). Takes effect only before the first module().
void useModuleFile(std::filesystem::path file);

/// The file name of the module.
inline constexpr const char* kModuleFileName = "confcap-tls.so";

/// What the program and the module must agree on before either calls the other: confcap's
/// version and this interface's. An upgrade that replaces the module under a running program
/// changes it.
inline constexpr const char* kInterface = CONFCAP_VERSION "/tls-1";

}  // namespace confcap::tls

/// The module's one exported symbol: the module (made on the first call, never destroyed) when
/// `expected` is its kInterface, else null.
extern "C" const confcap::tls::Module* confcap_tls_module(const char* expected);
