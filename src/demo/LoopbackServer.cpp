#include "confcap/demo/LoopbackServer.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>

#include "confcap/tls/TlsModule.h"

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
    const auto& module = tls::module();
    const auto context = module.serverContext(options.certificateFile, options.privateKeyFile);
    if (!context) {
        throw Poco::InvalidArgumentException("the key " + options.privateKeyFile +
                                             " does not belong to " + options.certificateFile);
    }
    return module.listeningSocket(address, 64, context);
}

// A slice of a body that takes its turn on the uplink.
constexpr std::size_t kSlice = 8 * 1024;

// The uplink: each slice reserves the next free stretch of the line's time.
class Uplink {
public:
    explicit Uplink(double bytesPerSecond) : bytesPerSecond_(bytesPerSecond) {}

    void setRate(double bytesPerSecond) {
        std::lock_guard lock(mutex_);
        bytesPerSecond_ = bytesPerSecond;
    }

    // When a slice of `bytes` may go out (the line is taken until it has); unset without a
    // limit.
    std::optional<std::chrono::steady_clock::time_point> reserve(std::size_t bytes) {
        std::lock_guard lock(mutex_);
        if (bytesPerSecond_ <= 0) {
            return std::nullopt;
        }
        const auto now = std::chrono::steady_clock::now();
        free_ = std::max(free_, now);
        const auto start = free_;
        free_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(static_cast<double>(bytes) / bytesPerSecond_));
        return start;
    }

private:
    std::mutex mutex_;
    double bytesPerSecond_;
    std::chrono::steady_clock::time_point free_{};
};

}  // namespace

struct LoopbackServer::Impl {
    Options options;
    Uplink uplink;
    Poco::ThreadPool pool;
    Poco::Net::ServerSocket socket;
    std::unique_ptr<Poco::Net::HTTPServer> server;

    Impl(Handler handler, Options opts)
        : options(std::move(opts)),
          uplink(options.bytesPerSecond),
          pool(2, options.maxThreads),
          socket(bindSocket(options)) {
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

void LoopbackServer::setBytesPerSecond(double bytesPerSecond) {
    impl_->uplink.setRate(bytesPerSecond);
}

void LoopbackServer::send(Poco::Net::HTTPServerResponse& response, std::string_view body) const {
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    std::ostream& out = response.send();
    for (std::size_t at = 0; at < body.size() && out; at += kSlice) {
        const std::size_t slice = std::min(kSlice, body.size() - at);
        if (const auto start = impl_->uplink.reserve(slice)) {
            std::this_thread::sleep_until(*start);
        }
        out.write(body.data() + at, static_cast<std::streamsize>(slice));
        out.flush();
    }
}

}  // namespace confcap::demo
