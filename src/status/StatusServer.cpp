#include "confcap/status/StatusServer.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <functional>
#include <optional>
#include <random>
#include <utility>
#include <variant>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/status/Metrics.h"
#include "confcap/status/ServedFile.h"
#include "confcap/status/StatusJson.h"
#include "confcap/status/StatusPage.h"

namespace confcap::status {

namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr std::size_t kEventsInJson = 100;

/// An open file descriptor, closed on scope exit.
class FileHandle {
public:
    explicit FileHandle(int fd) : fd_(fd) {}
    ~FileHandle() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

struct ByteRange {
    std::uint64_t first, last;  // inclusive
};
struct Unsatisfiable {};
struct WholeFile {};
using RangeRequest = std::variant<WholeFile, ByteRange, Unsatisfiable>;

/// A single "bytes=" range against a file of `size` bytes. Multiple ranges and malformed or
/// inverted ranges are ignored (the whole file is sent), as RFC 9110 allows.
RangeRequest parseRange(std::string_view header, std::uint64_t size) {
    header = core::trimmed(header);
    constexpr std::string_view kUnit = "bytes=";
    if (header.size() <= kUnit.size() || header.substr(0, kUnit.size()) != kUnit ||
        header.find(',') != std::string_view::npos) {
        return WholeFile{};
    }
    const auto spec = core::trimmed(header.substr(kUnit.size()));
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) {
        return WholeFile{};
    }
    const auto number = [](std::string_view s) -> std::optional<std::uint64_t> {
        if (s.empty() || s.size() > 19 ||
            !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        return std::stoull(std::string(s));
    };
    const auto firstText = core::trimmed(spec.substr(0, dash));
    const auto lastText = core::trimmed(spec.substr(dash + 1));
    if (firstText.empty()) {
        const auto suffix = number(lastText);
        if (!suffix) {
            return WholeFile{};
        }
        if (*suffix == 0 || size == 0) {
            return Unsatisfiable{};
        }
        return ByteRange{size - std::min(*suffix, size), size - 1};
    }
    const auto first = number(firstText);
    if (!first) {
        return WholeFile{};
    }
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!lastText.empty()) {
        const auto given = number(lastText);
        if (!given || *given < *first) {
            return WholeFile{};
        }
        last = std::min(last, *given);
    }
    if (*first >= size) {
        return Unsatisfiable{};
    }
    return ByteRange{*first, last};
}

std::string contentType(std::string_view name) {
    constexpr std::string_view kPart = ".part";
    if (name.size() > kPart.size() && name.substr(name.size() - kPart.size()) == kPart) {
        name.remove_suffix(kPart.size());
    }
    const auto dot = name.rfind('.');
    const auto slash = name.rfind('/');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
        return "application/octet-stream";
    }
    std::string extension(name.substr(dot + 1));
    for (auto& c : extension) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    static const std::array<std::pair<std::string_view, std::string_view>, 17> kTypes{{
        {"ts", "video/mp2t"},
        {"m2ts", "video/mp2t"},
        {"webm", "video/webm"},
        {"mkv", "video/x-matroska"},
        {"mp4", "video/mp4"},
        {"m4a", "audio/mp4"},
        {"flv", "video/x-flv"},
        {"mp3", "audio/mpeg"},
        {"aac", "audio/aac"},
        {"ogg", "audio/ogg"},
        {"opus", "audio/ogg"},
        {"json", "application/json"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"m3u8", "application/vnd.apple.mpegurl"},
        {"txt", "text/plain; charset=utf-8"},
        {"log", "text/plain; charset=utf-8"},
    }};
    for (const auto& [ext, type] : kTypes) {
        if (extension == ext) {
            return std::string(type);
        }
    }
    return "application/octet-stream";
}

/// The query of a request target, without '?' and fragment; empty when there is none.
std::string_view queryOf(std::string_view target) {
    const auto mark = target.find('?');
    if (mark == std::string_view::npos) {
        return {};
    }
    const auto query = target.substr(mark + 1);
    return query.substr(0, query.find('#'));
}

std::string randomNonce() {
    static thread_local std::mt19937_64 generator{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string nonce;
    for (int i = 0; i < 2; ++i) {
        auto value = generator();
        for (int j = 0; j < 16; ++j) {
            nonce.push_back(kHex[value & 0xF]);
            value >>= 4;
        }
    }
    return nonce;
}

bool isLoopbackName(std::string host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    for (auto& c : host) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (host == "localhost" || host.ends_with(".localhost")) {
        return true;
    }
    Poco::Net::IPAddress address;
    return Poco::Net::IPAddress::tryParse(host, address) && address.isLoopback();
}

/// The host part of a Host header: "127.0.0.1:8080" -> "127.0.0.1", "[::1]:80" -> "[::1]".
std::string hostOf(const std::string& header) {
    if (!header.empty() && header.front() == '[') {
        const auto close = header.find(']');
        return close == std::string::npos ? header : header.substr(0, close + 1);
    }
    return header.substr(0, header.find(':'));
}

void sendText(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
              const std::string& text) {
    response.setStatusAndReason(status);
    response.setContentType("text/plain; charset=utf-8");
    response.setContentLength64(static_cast<Poco::Int64>(text.size()));
    response.send() << text;
}

void sendBody(HTTPServerResponse& response, const std::string& contentType,
              const std::string& body) {
    response.setStatusAndReason(HTTPResponse::HTTP_OK);
    response.setContentType(contentType);
    response.set("Cache-Control", "no-store");
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    response.send() << body;
}

}  // namespace

struct StatusServer::Impl {
    const StatusBoard& board;
    const core::Clock& clock;
    Options options;
    bool loopbackOnly = false;
    Poco::ThreadPool pool;
    Poco::Net::ServerSocket socket;
    std::unique_ptr<Poco::Net::HTTPServer> server;

    Impl(const StatusBoard& b, const core::Clock& c, Options o)
        : board(b), clock(c), options(std::move(o)), pool(1, std::max(2, options.maxThreads)) {}

    core::Instant now() const { return std::chrono::floor<std::chrono::seconds>(clock.now()); }

    std::string summaryUrl() const {
        std::error_code error;
        return std::filesystem::is_regular_file(options.outputDir / kSummaryFile, error)
                   ? "/summary.json"
                   : "";
    }

    StatusContext context() const {
        StatusContext c;
        c.summaryUrl = summaryUrl();
        c.disk = board.disk();
        c.zone = options.zone;
        return c;
    }

    std::string json(std::string_view query) const {
        const auto jobs = board.jobs();
        auto c = context();
        if (query.find("timeline=svg") != std::string_view::npos) {
            c.timelineSvg = statusTimeline(jobs, now(), timelineZoom(query), options.zone);
        }
        return statusJson(jobs, board.recentEvents(kEventsInJson), now(), c);
    }

    std::string metrics() const {
        RunCounters counters;
        if (options.scheduleRefreshes) {
            counters.refreshes = options.scheduleRefreshes();
            counters.refreshPeriod = options.refreshPeriod;
        }
        if (options.hookResults) {
            counters.hooks = options.hookResults();
        }
        counters.disk = board.disk();
        return metricsText(board.jobs(), counters, clock.now());
    }

    void handle(HTTPServerRequest& request, HTTPServerResponse& response) {
        response.set("X-Content-Type-Options", "nosniff");
        response.set("Referrer-Policy", "no-referrer");
        const auto& method = request.getMethod();
        if (method != HTTPServerRequest::HTTP_GET && method != HTTPServerRequest::HTTP_HEAD) {
            response.set("Allow", "GET, HEAD");
            sendText(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "Only GET and HEAD.\n");
            return;
        }
        if (loopbackOnly && request.has("Host") && !isLoopbackName(hostOf(request.getHost()))) {
            sendText(response, HTTPResponse::HTTP_FORBIDDEN, "Unknown host.\n");
            return;
        }
        const std::string& target = request.getURI();
        const auto path = requestPath(target);
        const auto query = queryOf(target);
        if (path == "/") {
            const auto jobs = board.jobs();
            const auto events = board.recentEvents(kEventsInJson);
            const auto nonce = randomNonce();
            const auto c = context();
            const auto body = statusPage(jobs, events, now(), statusJson(jobs, events, now(), c),
                                         nonce, c, timelineZoom(query));
            response.set("Content-Security-Policy",
                         "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" +
                             nonce +
                             "'; connect-src 'self'; img-src data:; media-src 'self'; "
                             "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
            sendBody(response, "text/html; charset=utf-8", body);
        } else if (path == "/api/status") {
            sendBody(response, "application/json", json(query));
        } else if (path == "/summary.html") {
            std::error_code error;
            if (!std::filesystem::is_regular_file(options.outputDir / kSummaryPage, error)) {
                sendText(response, HTTPResponse::HTTP_NOT_FOUND,
                         "The summary is written when the run ends.\n");
                return;
            }
            response.setStatusAndReason(HTTPResponse::HTTP_FOUND);
            response.set("Location", "/recordings/" + std::string(kSummaryPage));
            response.setContentLength64(0);
            response.send();
        } else if (path == "/metrics") {
            sendBody(response, std::string(kMetricsContentType), metrics());
        } else if (auto file = servedFile(path)) {
            if (const auto* refusal = std::get_if<FileRefusal>(&*file)) {
                sendText(response, static_cast<HTTPResponse::HTTPStatus>(refusal->status),
                         "Not served.\n");
                return;
            }
            serveFile(request, response, std::get<std::string>(*file));
        } else {
            sendText(response, HTTPResponse::HTTP_NOT_FOUND, "Not found.\n");
        }
    }

    void serveFile(HTTPServerRequest& request, HTTPServerResponse& response,
                   const std::string& relative) {
        auto opened = openServedFile(options.outputDir, relative);
        if (const auto* refusal = std::get_if<FileRefusal>(&opened)) {
            sendText(response, static_cast<HTTPResponse::HTTPStatus>(refusal->status),
                     "Not served.\n");
            return;
        }
        FileHandle file(std::get<int>(opened));
        struct stat info {};
        if (::fstat(file.get(), &info) != 0) {
            sendText(response, HTTPResponse::HTTP_NOT_FOUND, "Not served.\n");
            return;
        }
        // A growing file is served as long as it is at this moment.
        const auto size = static_cast<std::uint64_t>(info.st_size);
        response.set("Accept-Ranges", "bytes");
        response.set("Cache-Control", "no-cache");
        if (relative == kSummaryPage) {
            // confcap's own page: its style inline, its pictures from here, never a script.
            response.setContentType("text/html; charset=utf-8");
            response.set("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                         "media-src 'self'; base-uri 'none'; form-action 'none'; "
                         "frame-ancestors 'none'");
        } else {
            response.setContentType(contentType(relative));
        }
        ByteRange range{0, size == 0 ? 0 : size - 1};
        const auto parsed =
            request.has("Range") ? parseRange(request.get("Range"), size) : RangeRequest{};
        if (std::holds_alternative<Unsatisfiable>(parsed)) {
            response.set("Content-Range", "bytes */" + std::to_string(size));
            response.setStatusAndReason(HTTPResponse::HTTP_REQUESTED_RANGE_NOT_SATISFIABLE);
            response.setContentLength64(0);
            response.send();
            return;
        }
        std::uint64_t length = size;
        if (const auto* r = std::get_if<ByteRange>(&parsed)) {
            range = *r;
            length = range.last - range.first + 1;
            response.setStatusAndReason(HTTPResponse::HTTP_PARTIAL_CONTENT);
            response.set("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                              std::to_string(range.last) + "/" +
                                              std::to_string(size));
        } else {
            response.setStatusAndReason(HTTPResponse::HTTP_OK);
        }
        response.setContentLength64(static_cast<Poco::Int64>(length));
        auto& out = response.send();
        if (request.getMethod() == HTTPServerRequest::HTTP_HEAD) {
            return;
        }
        std::vector<char> buffer(64 * 1024);
        auto offset = range.first;
        while (length > 0 && out) {
            const auto want =
                static_cast<std::size_t>(std::min<std::uint64_t>(length, buffer.size()));
            const auto n = ::pread(file.get(), buffer.data(), want, static_cast<off_t>(offset));
            if (n <= 0) {
                break;  // the file shrank; the client sees a short body
            }
            out.write(buffer.data(), n);
            offset += static_cast<std::uint64_t>(n);
            length -= static_cast<std::uint64_t>(n);
        }
    }
};

namespace {

using Respond = std::function<void(HTTPServerRequest&, HTTPServerResponse&)>;

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(const Respond& respond) : respond_(respond) {}
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        try {
            respond_(request, response);
        } catch (const Poco::Exception&) {
            // The client went away mid-response; there is no one left to tell.
        } catch (const std::exception&) {
            if (!response.sent()) {
                sendText(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "Internal error.\n");
            }
        }
    }

private:
    const Respond& respond_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(Respond respond) : respond_(std::move(respond)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new Handler(respond_);
    }

private:
    Respond respond_;
};

}  // namespace

StatusServer::StatusServer(const StatusBoard& board, const core::Clock& clock, Options options)
    : impl_(std::make_unique<Impl>(board, clock, std::move(options))) {
    const auto where = impl_->options.bind + ":" + std::to_string(impl_->options.port);
    try {
        const Poco::Net::SocketAddress address(impl_->options.bind, impl_->options.port);
        impl_->loopbackOnly = address.host().isLoopback();
        // No SO_REUSEPORT: a second program on the same port must fail, not share it.
        impl_->socket.bind(address, true, false);
        impl_->socket.listen(64);
    } catch (const Poco::Exception& e) {
        throw core::UsageError("Cannot serve the status page on " + where + " (" + e.displayText() +
                               "); choose another --status-port or --status-bind.");
    }
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(std::max(2, impl_->options.maxThreads));
    params->setMaxQueued(64);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(15, 0));
    impl_->server = std::make_unique<Poco::Net::HTTPServer>(
        new Factory([impl = impl_.get()](HTTPServerRequest& request, HTTPServerResponse& response) {
            impl->handle(request, response);
        }),
        impl_->pool, impl_->socket, params);
    impl_->server->start();
}

StatusServer::~StatusServer() {
    impl_->server->stopAll(true);
    impl_->pool.joinAll();
}

std::uint16_t StatusServer::port() const {
    return impl_->socket.address().port();
}

std::string StatusServer::url(std::string_view path) const {
    auto host = impl_->options.bind;
    if (host.find(':') != std::string::npos) {
        host = "[" + host + "]";
    }
    return "http://" + host + ":" + std::to_string(port()) + std::string(path);
}

}  // namespace confcap::status
