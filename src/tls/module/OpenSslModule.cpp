// confcap's TLS module (confcap-tls.so): tls::Module over Poco NetSSL and OpenSSL. It depends on
// nothing of confcap but the interface, and reports failures as Poco exceptions, which the
// callers turn into their own sentences.
#include <openssl/ssl.h>

#include <cstring>
#include <map>
#include <mutex>

#include <Poco/Delegate.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/Net/VerificationErrorArgs.h>

#include "confcap/tls/TlsModule.h"

namespace confcap::tls {

static_assert(kWantRead == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ);
static_assert(kWantWrite == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE);

// The opaque context of the interface: Poco's.
class Context {
public:
    explicit Context(Poco::Net::Context::Ptr context) : poco(std::move(context)) {}
    Poco::Net::Context::Ptr poco;
};

namespace {

// The reason OpenSSL gave for rejecting a certificate on this thread's last handshake; it comes
// through SSLManager's event, which fires on the thread doing the handshake.
thread_local std::string lastVerificationError;

void onVerificationError(const void*, Poco::Net::VerificationErrorArgs& args) {
    lastVerificationError = args.errorMessage();
}

bool mentionsCertificate(const Poco::Exception& error) {
    const std::string text = error.displayText();
    return text.find("certificate") != std::string::npos ||
           text.find("Certificate") != std::string::npos;
}

// A server-side TLS connection over an accepted socket; Poco starts the handshake lazily.
class AcceptedTls : public Poco::Net::SecureStreamSocketImpl {
public:
    AcceptedTls(Poco::Net::StreamSocketImpl* plain, Poco::Net::Context::Ptr context)
        : SecureStreamSocketImpl(plain, std::move(context)) {
        acceptSSL();
    }
};

class OpenSslModule final : public Module {
public:
    OpenSslModule() {
        Poco::Net::initializeSSL();
        Poco::Net::SSLManager::instance().ClientVerificationError +=
            Poco::delegate(&onVerificationError);
    }

    ContextPtr clientContext(const std::string& caFile) const override {
        std::lock_guard lock(mutex_);
        ContextPtr& context = (*clientContexts_)[caFile];
        if (!context) {
            Poco::Net::Context::Params params;
            params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
            params.loadDefaultCAs = true;  // OpenSSL's default store: /etc/ssl/certs
            params.caLocation = caFile;
            params.cipherList = "DEFAULT";
            Poco::Net::Context::Ptr made =
                new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
            made->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
            context = std::make_shared<const Context>(made);
        }
        return context;
    }

    std::unique_ptr<ClientSession> clientSession(const std::string& host, std::uint16_t port,
                                                 const ContextPtr& context) const override {
        return std::make_unique<OpenedSession<Poco::Net::HTTPSClientSession>>(host, port,
                                                                              context->poco);
    }

    void clearVerificationError() const override { lastVerificationError.clear(); }

    std::string verificationError() const override { return lastVerificationError; }

    Failure failureOf(const Poco::Exception& error) const override {
        if (dynamic_cast<const Poco::Net::CertificateValidationException*>(&error) ||
            dynamic_cast<const Poco::Net::InvalidCertificateException*>(&error)) {
            return Failure::Certificate;
        }
        if (dynamic_cast<const Poco::Net::SSLException*>(&error) == nullptr) {
            return Failure::None;
        }
        if (!lastVerificationError.empty() || mentionsCertificate(error)) {
            return Failure::Certificate;
        }
        if (dynamic_cast<const Poco::Net::SSLConnectionUnexpectedlyClosedException*>(&error)) {
            return Failure::Closed;
        }
        return Failure::None;
    }

    ContextPtr serverContext(const std::filesystem::path& certificate,
                             const std::filesystem::path& key) const override {
        Poco::Net::Context::Params params;
        params.certificateFile = certificate.string();
        params.privateKeyFile = key.string();
        params.verificationMode = Poco::Net::Context::VERIFY_NONE;
        params.loadDefaultCAs = false;
        params.cipherList = "HIGH:!aNULL:!MD5:!RC4";
        Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
        context->disableProtocols(
            Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
            Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        if (::SSL_CTX_check_private_key(context->sslContext()) != 1) {
            return nullptr;
        }
        return std::make_shared<const Context>(context);
    }

    Poco::Net::ServerSocket listeningSocket(const Poco::Net::SocketAddress& address, int backlog,
                                            const ContextPtr& context) const override {
        return Poco::Net::SecureServerSocket(address, backlog, context->poco);
    }

    Poco::Net::StreamSocket acceptedSocket(const Poco::Net::StreamSocket& plain,
                                           const ContextPtr& context) const override {
        auto* impl = static_cast<Poco::Net::StreamSocketImpl*>(plain.impl());
        return Poco::Net::StreamSocket(new AcceptedTls(impl, context->poco));
    }

    Handshake completeHandshake(Poco::Net::StreamSocket& socket) const noexcept override {
        int result = 0;
        try {
            result =
                static_cast<Poco::Net::SecureStreamSocketImpl*>(socket.impl())->completeHandshake();
        } catch (const Poco::Exception&) {
            return Handshake::Failed;
        }
        switch (result) {
            case 1:
                return Handshake::Done;
            case Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ:
                return Handshake::WantRead;
            case Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE:
                return Handshake::WantWrite;
            default:
                return Handshake::Failed;
        }
    }

private:
    mutable std::mutex mutex_;
    // Kept to the end of the process: a context may serve any number of connections on any
    // threads, and is never freed after OpenSSL's own clean-up at exit.
    std::map<std::string, ContextPtr>* clientContexts_ = new std::map<std::string, ContextPtr>;
};

}  // namespace

}  // namespace confcap::tls

extern "C" __attribute__((visibility("default"))) const confcap::tls::Module* confcap_tls_module(
    const char* expected) {
    if (expected == nullptr || std::strcmp(expected, confcap::tls::kInterface) != 0) {
        return nullptr;
    }
    // Never destroyed: sessions and contexts may still be released during exit.
    static const auto* module = new confcap::tls::OpenSslModule;
    return module;
}
