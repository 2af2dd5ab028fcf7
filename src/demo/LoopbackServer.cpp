#include "confcap/demo/LoopbackServer.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

namespace confcap::demo {

namespace {

class HandlerAdapter : public Poco::Net::HTTPRequestHandler {
public:
    explicit HandlerAdapter(const LoopbackServer::Handler& handler) : handler_(handler) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        handler_(request, response);
    }

private:
    const LoopbackServer::Handler& handler_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(LoopbackServer::Handler handler) : handler_(std::move(handler)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new HandlerAdapter(handler_);
    }

private:
    LoopbackServer::Handler handler_;
};

Poco::Net::ServerSocket bindSocket(const LoopbackServer::Options& options) {
    const Poco::Net::SocketAddress address("127.0.0.1", 0);
    if (options.certificateFile.empty()) {
        return Poco::Net::ServerSocket(address, 64);
    }
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, options.privateKeyFile,
                               options.certificateFile, "", Poco::Net::Context::VERIFY_NONE);
    return Poco::Net::SecureServerSocket(address, 64, context);
}

}  // namespace

struct LoopbackServer::Impl {
    Options options;
    Poco::ThreadPool pool;
    Poco::Net::ServerSocket socket;
    std::unique_ptr<Poco::Net::HTTPServer> server;

    Impl(Handler handler, Options opts)
        : options(std::move(opts)), pool(2, options.maxThreads), socket(bindSocket(options)) {
        Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(options.maxThreads);
        params->setMaxQueued(256);
        params->setKeepAlive(options.keepAlive);
        params->setMaxKeepAliveRequests(0);
        params->setKeepAliveTimeout(Poco::Timespan(30, 0));
        server = std::make_unique<Poco::Net::HTTPServer>(new Factory(std::move(handler)), pool,
                                                         socket, params);
        server->start();
    }
};

LoopbackServer::LoopbackServer(Handler handler) : LoopbackServer(std::move(handler), Options{}) {}

LoopbackServer::LoopbackServer(Handler handler, Options options)
    : impl_(std::make_unique<Impl>(std::move(handler), std::move(options))) {}

LoopbackServer::~LoopbackServer() {
    impl_->server->stopAll(true);
    impl_->pool.joinAll();
}

std::uint16_t LoopbackServer::port() const {
    return impl_->socket.address().port();
}

std::string LoopbackServer::url(std::string_view path) const {
    const char* scheme = impl_->options.certificateFile.empty() ? "http" : "https";
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

std::size_t LoopbackServer::connections() const {
    return static_cast<std::size_t>(impl_->server->totalConnections());
}

}  // namespace confcap::demo
