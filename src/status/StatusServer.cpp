#include "confcap/status/StatusServer.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/SHA2Engine.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <utility>
#include <variant>

#include "HttpFront.h"
#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/status/Metrics.h"
#include "confcap/status/RequestHead.h"
#include "confcap/status/ServedFile.h"
#include "confcap/status/StatusAuth.h"
#include "confcap/status/StatusJson.h"
#include "confcap/status/StatusPage.h"
#include "confcap/tls/TlsModule.h"

namespace confcap::status {

namespace {

using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;

constexpr std::size_t kEventsInJson = 100;

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

Reply bodyReply(const std::string& contentType, std::string body) {
    Reply reply;
    reply.head.setStatusAndReason(HTTPResponse::HTTP_OK);
    reply.head.setContentType(contentType);
    reply.head.set("Cache-Control", "no-store");
    reply.head.setContentLength64(static_cast<Poco::Int64>(body.size()));
    reply.body = std::move(body);
    return reply;
}

Reply notServed(int status) {
    return textReply(static_cast<HTTPResponse::HTTPStatus>(status), "Not served.\n");
}

/// The headers every answer carries.
Reply secured(Reply reply) {
    reply.head.set("X-Content-Type-Options", "nosniff");
    reply.head.set("Referrer-Policy", "no-referrer");
    return reply;
}

/// A server TLS context for the certificate (chain) and its key, loaded now.
tls::ContextPtr tlsContext(const std::filesystem::path& certificate,
                           const std::filesystem::path& key) {
    const auto named = "The TLS certificate " + certificate.string() + " and key " + key.string();
    tls::ContextPtr context;
    try {
        context = tls::module().serverContext(certificate, key);
    } catch (const Poco::Exception& e) {
        throw core::ConfigError(named + " cannot be used (" + e.displayText() + ").");
    } catch (const core::NotInstalledError& e) {
        throw core::NotInstalledError(
            std::string("The status page cannot be served over TLS (--status-tls-cert): ") +
            e.what());
    }
    if (!context) {
        throw core::ConfigError(named + " do not belong together.");
    }
    return context;
}

std::string digestOf(std::string_view text) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(text.data(), static_cast<unsigned>(text.size()));
    return Poco::DigestEngine::digestToHex(engine.digest());
}

/// How long a checked Authorization header is taken without checking it again, and how many
/// are kept.
constexpr auto kVerifiedFor = std::chrono::minutes(15);
constexpr std::size_t kVerifiedKept = 256;

}  // namespace

struct StatusServer::Impl {
    const StatusBoard& board;
    const core::Clock& clock;
    Options options;
    bool loopbackOnly = false;
    bool secure = false;
    Poco::Net::ServerSocket socket;

    mutable std::mutex accessMutex;
    std::shared_ptr<const StatusAuth> auth;  // null: open to every client
    /// Counts the credential files put in force: a check made against an older one is not
    /// remembered, nor taken from the cache.
    std::uint64_t generation = 0;
    struct Verified {
        SteadyTime until;
        std::uint64_t generation;
    };
    std::map<std::string, Verified> verified;  // digests of granted headers
    std::unique_ptr<HttpFront> front;

    Impl(const StatusBoard& b, const core::Clock& c, Options o)
        : board(b), clock(c), options(std::move(o)) {}

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
        c.tapes = board.tapes();
        c.zone = options.zone;
        return c;
    }

    std::string json(std::string_view query) const {
        const auto jobs = board.jobs();
        auto c = context();
        if (query.find("timeline=svg") != std::string_view::npos) {
            c.timelineSvg = statusTimeline(jobs, now(), timelineZoom(query), options.zone, c.tapes);
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
        counters.tapes = board.tapes();
        return metricsText(board.jobs(), counters, clock.now());
    }

    std::shared_ptr<const StatusAuth> access() const {
        std::lock_guard lock(accessMutex);
        return auth;
    }

    /// The credentials in force and their generation, read together.
    std::pair<std::shared_ptr<const StatusAuth>, std::uint64_t> accessNow() const {
        std::lock_guard lock(accessMutex);
        return {auth, generation};
    }

    bool isVerified(const std::string& authorization) {
        const auto digest = digestOf(authorization);
        std::lock_guard lock(accessMutex);
        const auto it = verified.find(digest);
        if (it == verified.end()) {
            return false;
        }
        if (it->second.generation != generation ||
            std::chrono::steady_clock::now() >= it->second.until) {
            verified.erase(it);
            return false;
        }
        return true;
    }

    /// Remembers credentials checked against the file of `checkedIn`; not when another file
    /// was put in force since.
    void remember(const std::string& authorization, std::uint64_t checkedIn) {
        const auto digest = digestOf(authorization);
        std::lock_guard lock(accessMutex);
        if (checkedIn != generation) {
            return;
        }
        if (verified.size() >= kVerifiedKept) {
            verified.clear();
        }
        verified[digest] = {std::chrono::steady_clock::now() + kVerifiedFor, checkedIn};
    }

    static Reply unauthorized(const StatusAuth& access, SteadyTime notBefore) {
        auto reply = textReply(HTTPResponse::HTTP_UNAUTHORIZED, "Unauthorized.\n");
        reply.head.set("WWW-Authenticate", access.challenge());
        reply.head.set("Cache-Control", "no-store");
        reply.notBefore = notBefore;
        return reply;
    }

    /// On the front's thread: what needs no work is answered here, the rest goes to a lane.
    Route route(const Request& request) {
        const auto& head = request.head;
        const auto& method = head.getMethod();
        if (method != HTTPRequest::HTTP_GET && method != HTTPRequest::HTTP_HEAD) {
            auto reply = textReply(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "Only GET and HEAD.\n");
            reply.head.set("Allow", "GET, HEAD");
            reply.close = true;
            return {secured(std::move(reply))};
        }
        // A name other than loopback's is a page of another site rebinding its name to us.
        if (loopbackOnly && !namesOnlyLoopback(head)) {
            return {secured(textReply(HTTPResponse::HTTP_FORBIDDEN, "Unknown host.\n"))};
        }
        if (requestPath(head.getURI()) == "/healthz") {
            auto reply = textReply(HTTPResponse::HTTP_OK, "ok\n");
            reply.head.set("Cache-Control", "no-store");
            return {secured(std::move(reply))};
        }
        const auto granted = access();
        if (!granted) {
            return {std::nullopt, Lane::Status};
        }
        const auto authorization = head.get("Authorization", "");
        if (core::trimmed(authorization).empty()) {
            return {secured(unauthorized(*granted, {}))};
        }
        return {std::nullopt, isVerified(authorization) ? Lane::Status : Lane::Verify};
    }

    /// On a lane's worker: the credentials not known yet are checked, then the request answered.
    Reply respond(const Request& request) {
        if (const auto [granted, checkedIn] = accessNow(); granted) {
            const auto authorization = request.head.get("Authorization", "");
            if (!isVerified(authorization)) {
                const auto verdict = granted->check(authorization);
                if (verdict != StatusAuth::Verdict::Granted) {
                    // Wrong credentials wait, however long the check took; missing ones do not
                    // (a browser asks without them first).
                    return secured(unauthorized(*granted, verdict == StatusAuth::Verdict::Denied
                                                              ? request.arrived + options.authDelay
                                                              : SteadyTime{}));
                }
                remember(authorization, checkedIn);
            }
        }
        return secured(handle(request.head));
    }

    Reply handle(const HTTPRequest& request) {
        const std::string& target = request.getURI();
        const auto path = requestPath(target);
        const auto query = queryOf(target);
        if (path == "/") {
            const auto jobs = board.jobs();
            const auto events = board.recentEvents(kEventsInJson);
            const auto nonce = randomNonce();
            const auto c = context();
            auto reply =
                bodyReply("text/html; charset=utf-8",
                          statusPage(jobs, events, now(), statusJson(jobs, events, now(), c), nonce,
                                     c, timelineZoom(query)));
            reply.head.set("Content-Security-Policy",
                           "default-src 'none'; script-src 'nonce-" + nonce +
                               "'; style-src 'nonce-" + nonce +
                               "'; connect-src 'self'; img-src data:; media-src 'self'; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
            return reply;
        }
        if (path == "/api/status") {
            return bodyReply("application/json", json(query));
        }
        if (path == "/summary.html") {
            std::error_code error;
            if (!std::filesystem::is_regular_file(options.outputDir / kSummaryPage, error)) {
                return textReply(HTTPResponse::HTTP_NOT_FOUND,
                                 "The summary is written when the run ends.\n");
            }
            Reply reply;
            reply.head.setStatusAndReason(HTTPResponse::HTTP_FOUND);
            reply.head.set("Location", "/recordings/" + std::string(kSummaryPage));
            reply.head.setContentLength64(0);
            return reply;
        }
        if (path == "/metrics") {
            return bodyReply(std::string(kMetricsContentType), metrics());
        }
        if (auto file = servedFile(path)) {
            if (const auto* refusal = std::get_if<FileRefusal>(&*file)) {
                return notServed(refusal->status);
            }
            return serveFile(request, std::get<std::string>(*file));
        }
        return textReply(HTTPResponse::HTTP_NOT_FOUND, "Not found.\n");
    }

    Reply serveFile(const HTTPRequest& request, const std::string& relative) {
        auto opened = openServedFile(options.outputDir, relative);
        if (const auto* refusal = std::get_if<FileRefusal>(&opened)) {
            return notServed(refusal->status);
        }
        Reply reply;
        reply.file = OwnedFile(std::get<int>(opened));
        struct stat info {};
        if (::fstat(reply.file.get(), &info) != 0) {
            return notServed(404);
        }
        // A growing file is served as long as it is at this moment.
        const auto size = static_cast<std::uint64_t>(info.st_size);
        reply.head.set("Accept-Ranges", "bytes");
        reply.head.set("Cache-Control", "no-cache");
        if (relative == kSummaryPage) {
            // confcap's own page: its style inline, its pictures from here, never a script.
            reply.head.setContentType("text/html; charset=utf-8");
            reply.head.set("Content-Security-Policy",
                           "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                           "media-src 'self'; base-uri 'none'; form-action 'none'; "
                           "frame-ancestors 'none'");
        } else {
            reply.head.setContentType(contentType(relative));
        }
        const auto parsed =
            request.has("Range") ? parseRange(request.get("Range"), size) : RangeRequest{};
        if (std::holds_alternative<Unsatisfiable>(parsed)) {
            reply.file = OwnedFile();
            reply.head.set("Content-Range", "bytes */" + std::to_string(size));
            reply.head.setStatusAndReason(HTTPResponse::HTTP_REQUESTED_RANGE_NOT_SATISFIABLE);
            reply.head.setContentLength64(0);
            return reply;
        }
        reply.offset = 0;
        reply.length = size;
        if (const auto* r = std::get_if<ByteRange>(&parsed)) {
            reply.offset = r->first;
            reply.length = r->last - r->first + 1;
            reply.head.setStatusAndReason(HTTPResponse::HTTP_PARTIAL_CONTENT);
            reply.head.set("Content-Range", "bytes " + std::to_string(r->first) + "-" +
                                                std::to_string(r->last) + "/" +
                                                std::to_string(size));
        } else {
            reply.head.setStatusAndReason(HTTPResponse::HTTP_OK);
        }
        reply.head.setContentLength64(static_cast<Poco::Int64>(reply.length));
        return reply;
    }
};

StatusServer::StatusServer(const StatusBoard& board, const core::Clock& clock, Options options)
    : impl_(std::make_unique<Impl>(board, clock, std::move(options))) {
    auto& o = impl_->options;
    if (o.tlsCertificate.empty() != o.tlsKey.empty()) {
        throw core::UsageError(
            "--status-tls-cert and --status-tls-key go together: give both, or neither.");
    }
    tls::ContextPtr tls;
    if (!o.tlsCertificate.empty()) {
        tls = tlsContext(o.tlsCertificate, o.tlsKey);
        impl_->secure = true;
    }
    if (!o.authFile.empty()) {
        impl_->auth = std::make_shared<const StatusAuth>(StatusAuth::fromFile(o.authFile));
    }
    const auto where = o.bind + ":" + std::to_string(o.port);
    try {
        const Poco::Net::SocketAddress address(o.bind, o.port);
        impl_->loopbackOnly = address.host().isLoopback();
        // No SO_REUSEPORT: a second program on the same port must fail, not share it.
        impl_->socket.bind(address, true, false);
        impl_->socket.listen(1024);
    } catch (const Poco::Exception& e) {
        throw core::UsageError("Cannot serve the status page on " + where + " (" + e.displayText() +
                               "); choose another --status-port or --status-bind.");
    }
    HttpFront::Limits limits;
    limits.headTimeout = o.headTimeout;
    limits.idleTimeout = o.idleTimeout;
    limits.sendTimeout = o.sendTimeout;
    limits.maxConnections = o.maxConnections;
    limits.maxPerAddress = o.maxPerAddress;
    limits.maxFileAnswers = o.maxFileAnswers;
    auto* impl = impl_.get();
    impl_->front = std::make_unique<HttpFront>(
        impl_->socket,
        HttpFront::Handlers{[impl](const Request& r) { return impl->route(r); },
                            [impl](const Request& r) { return impl->respond(r); }},
        limits, tls);
}

StatusServer::~StatusServer() {
    impl_->front.reset();
}

void StatusServer::reload() {
    auto& o = impl_->options;
    // Both are loaded before either is put in force.
    std::shared_ptr<const StatusAuth> auth;
    if (!o.authFile.empty()) {
        auth = std::make_shared<const StatusAuth>(StatusAuth::fromFile(o.authFile));
    }
    tls::ContextPtr tls;
    if (!o.tlsCertificate.empty()) {
        tls = tlsContext(o.tlsCertificate, o.tlsKey);
    }
    if (auth) {
        std::lock_guard lock(impl_->accessMutex);
        impl_->auth = std::move(auth);
        ++impl_->generation;
        impl_->verified.clear();
    }
    if (tls) {
        impl_->front->setTls(std::move(tls));
    }
}

bool StatusServer::loopbackOnly() const {
    return impl_->loopbackOnly;
}

std::size_t StatusServer::maxConnections() const {
    return impl_->front->maxConnections();
}

std::uint16_t StatusServer::port() const {
    return impl_->socket.address().port();
}

std::string StatusServer::url(std::string_view path) const {
    auto host = impl_->options.bind;
    if (host.find(':') != std::string::npos) {
        host = "[" + host + "]";
    }
    return std::string(impl_->secure ? "https://" : "http://") + host + ":" +
           std::to_string(port()) + std::string(path);
}

}  // namespace confcap::status
