#include "confcap/fetch/HttpClient.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <limits>

#include <Poco/DateTime.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include "ConnectionPool.h"
#include "HttpConnection.h"
#include "HttpStreamImpl.h"
#include "confcap/core/Error.h"
#include "confcap/tls/TlsModule.h"

namespace confcap::fetch {

using core::ErrorKind;
using core::FetchError;

namespace {

// What a redirect or error response may carry before its connection is dropped instead of reused.
constexpr std::size_t kDrainLimit = 64 * 1024;
// The most get() reserves ahead of the data.
constexpr std::size_t kMaxInitialBuffer = 16 * 1024 * 1024;

struct Url {
    Endpoint endpoint;
    std::string target;  // path and query, sent verbatim
};

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

[[noreturn]] void throwMalformed(const std::string& url) {
    throw FetchError("The URL \"" + url + "\" is malformed.", ErrorKind::Unusable);
}

// Splits an absolute URL without decoding it, so the request target is exactly what was given.
Url parseUrl(const std::string& url) {
    if (std::any_of(url.begin(), url.end(),
                    [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
        throwMalformed(url);
    }
    const auto schemeEnd = url.find("://");
    if (schemeEnd == std::string::npos) {
        throw FetchError("Cannot fetch \"" + url + "\": it is not an http or https URL.",
                         ErrorKind::Unusable);
    }
    Url result;
    result.endpoint.scheme = lowercase(url.substr(0, schemeEnd));
    if (result.endpoint.scheme != "http" && result.endpoint.scheme != "https") {
        throw FetchError("Cannot fetch " + url + ": only http and https URLs are supported.",
                         ErrorKind::Unusable);
    }
    const auto authorityBegin = schemeEnd + 3;
    const auto authorityEnd = url.find_first_of("/?#", authorityBegin);
    std::string authority = url.substr(authorityBegin, authorityEnd - authorityBegin);
    if (const auto at = authority.rfind('@'); at != std::string::npos) {
        authority.erase(0, at + 1);
    }
    std::string port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos) {
            throwMalformed(url);
        }
        result.endpoint.host = authority.substr(1, close - 1);
        const std::string rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                throwMalformed(url);
            }
            port = rest.substr(1);
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
        result.endpoint.host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    } else {
        result.endpoint.host = authority;
    }
    if (result.endpoint.host.empty()) {
        throwMalformed(url);
    }
    result.endpoint.host = lowercase(result.endpoint.host);
    if (port.empty()) {
        result.endpoint.port = result.endpoint.secure() ? 443 : 80;
    } else {
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(),
                                            [](unsigned char c) { return std::isdigit(c) != 0; })) {
            throwMalformed(url);
        }
        const int value = std::stoi(port);
        if (value < 1 || value > 65535) {
            throwMalformed(url);
        }
        result.endpoint.port = static_cast<std::uint16_t>(value);
    }
    if (authorityEnd != std::string::npos) {
        result.target = url.substr(authorityEnd, url.find('#', authorityEnd) - authorityEnd);
    }
    if (result.target.empty() || result.target.front() != '/') {
        result.target.insert(0, "/");
    }
    return result;
}

std::string hostHeader(const Endpoint& endpoint) {
    std::string value =
        endpoint.host.find(':') == std::string::npos ? endpoint.host : "[" + endpoint.host + "]";
    const std::uint16_t defaultPort = endpoint.secure() ? 443 : 80;
    if (endpoint.port != defaultPort) {
        value += ":" + std::to_string(endpoint.port);
    }
    return value;
}

// A Location may be absolute (used as given) or relative to the URL that answered.
std::string resolveLocation(const std::string& base, const std::string& location) {
    const auto colon = location.find(':');
    const auto slash = location.find('/');
    if (colon != std::string::npos && (slash == std::string::npos || colon < slash)) {
        return location;
    }
    try {
        Poco::URI uri(base);
        uri.resolve(location);
        return uri.toString();
    } catch (const Poco::Exception&) {
        throw FetchError(base + " redirected to a malformed location \"" + location + "\".",
                         ErrorKind::Permanent);
    }
}

bool isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::optional<Poco::Timestamp> parseHttpDate(const std::string& text) {
    Poco::DateTime dateTime;
    int zone = 0;
    if (!Poco::DateTimeParser::tryParse(text, dateTime, zone)) {
        return std::nullopt;
    }
    dateTime.makeUTC(zone);
    return dateTime.timestamp();
}

// Retry-After is either delay seconds or an HTTP date; a date is measured against the response's
// own Date when it has one, so a skewed local clock does not matter.
long retryAfterSeconds(const HttpHeaders& headers) {
    const auto value = headers.get("Retry-After");
    if (!value) {
        return -1;
    }
    const auto first = value->find_first_not_of(" \t");
    const auto last = value->find_last_not_of(" \t");
    if (first == std::string::npos) {
        return -1;
    }
    const std::string text = value->substr(first, last - first + 1);
    if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return text.size() > 9 ? 999'999'999L : std::stol(text);
    }
    const auto until = parseHttpDate(text);
    if (!until) {
        return -1;
    }
    Poco::Timestamp reference;
    if (const auto date = headers.get("Date")) {
        if (const auto parsed = parseHttpDate(*date)) {
            reference = *parsed;
        }
    }
    const auto delta = (*until - reference) / Poco::Timestamp::resolution();
    return std::max<long>(0, static_cast<long>(delta));
}

FetchError statusError(int status, const HttpHeaders& headers, const std::string& url) {
    const bool transient = status >= 500 || status == 408 || status == 429;
    const long retryAfter = retryAfterSeconds(headers);
    std::string message = url + " answered HTTP " + std::to_string(status) + " " +
                          Poco::Net::HTTPResponse::getReasonForStatus(
                              static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    if (retryAfter >= 0) {
        message += " (retry after " + std::to_string(retryAfter) + " s)";
    }
    message += ".";
    return FetchError(
        message, transient ? ErrorKind::Transient : ErrorKind::Permanent, status,
        retryAfter >= 0 ? std::optional<std::chrono::seconds>(retryAfter) : std::nullopt);
}

// A kept-alive connection the server has meanwhile closed fails its next request at once; such a
// failure says nothing about the server, so the request is sent again on a new connection. A
// timeout does say something, and waiting for it twice would double the stall.
bool staleConnectionFailure(const Poco::Exception& error) {
    return dynamic_cast<const Poco::TimeoutException*>(&error) == nullptr;
}

// The TLS context for `caFile`, from the TLS module, which is loaded now to fetch `url`.
tls::ContextPtr tlsContextFor(const std::string& caFile, const std::string& url) {
    const tls::Module* module = nullptr;
    try {
        module = &tls::module();
    } catch (const core::NotInstalledError& error) {
        throw FetchError("Could not fetch " + url + ": " + error.what(), ErrorKind::Unusable);
    }
    try {
        return module->clientContext(caFile);
    } catch (const Poco::Exception& error) {
        throw FetchError(
            "Could not load the CA certificates of " + caFile + " (" + error.displayText() + ").",
            ErrorKind::Unusable);
    }
}

}  // namespace

struct HttpClient::Impl {
    Options options;
    std::shared_ptr<ConnectionPool> pool = std::make_shared<ConnectionPool>();
    tls::ContextPtr tls;

    tls::ContextPtr tlsContext(const std::string& url) {
        if (!tls) {
            tls = tlsContextFor(options.caFile, url);
        }
        return tls;
    }

    std::unique_ptr<HttpStream> open(const HttpRequest& request) {
        std::string url = request.url;
        for (int redirects = 0;; ++redirects) {
            auto stream = openOnce(url, request);
            const int status = stream->status;
            if (isRedirect(status)) {
                const auto location = stream->headers.get("Location");
                if (!location || location->empty()) {
                    throw FetchError(url + " answered HTTP " + std::to_string(status) +
                                         " without saying where to (no Location).",
                                     ErrorKind::Permanent, status);
                }
                if (redirects >= request.maxRedirects) {
                    throw FetchError("Gave up on " + request.url + " after " +
                                         std::to_string(request.maxRedirects) + " redirects.",
                                     ErrorKind::Permanent, status);
                }
                std::string next = resolveLocation(url, *location);
                drain(*stream);
                url = std::move(next);
                continue;
            }
            if ((status >= 200 && status < 300) || status == 304) {
                return std::make_unique<HttpStream>(std::move(stream));
            }
            FetchError error = statusError(status, stream->headers, url);
            drain(*stream);
            throw error;
        }
    }

    // Reads a small unwanted body to the end so its connection can carry the next request.
    static void drain(HttpStream::Impl& stream) {
        try {
            stream.skip(kDrainLimit);
        } catch (const core::Error&) {
            // The connection is dropped instead; the response itself was understood.
        }
    }

    std::unique_ptr<HttpStream::Impl> openOnce(const std::string& url, const HttpRequest& request) {
        const Url parsed = parseUrl(url);
        Poco::Net::HTTPRequest message(Poco::Net::HTTPRequest::HTTP_GET, parsed.target,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        message.set("Host", hostHeader(parsed.endpoint));
        message.set("User-Agent", options.userAgent);
        message.set("Accept", "*/*");
        for (const auto& [name, value] : request.headers) {
            message.set(name, value);
        }
        message.setKeepAlive(true);

        const tls::ContextPtr context =
            parsed.endpoint.secure() ? tlsContext(url) : tls::ContextPtr();
        auto connection = pool->take(parsed.endpoint, context);
        for (bool retried = false;; retried = true) {
            if (pool->aborted()) {
                throwCancelled(url);
            }
            connection->setTimeouts(request.connectTimeout, request.readTimeout);
            const bool fresh = connection->needsConnect();
            try {
                connection->send(message);
            } catch (const Poco::Exception& error) {
                if (!fresh && !retried && staleConnectionFailure(error)) {
                    connection = std::make_unique<HttpConnection>(parsed.endpoint, context);
                    continue;
                }
                throwFetchError(error, url, fresh ? Phase::Connect : Phase::Exchange,
                                fresh ? request.connectTimeout : request.readTimeout);
            }
            if (fresh) {
                pool->countConnect();
            }
            if (!pool->enter(*connection)) {
                throwCancelled(url);
            }
            Poco::Net::HTTPResponse response;
            try {
                connection->receive(response);
            } catch (const Poco::Exception& error) {
                pool->leave(*connection);
                if (pool->aborted()) {
                    throwCancelled(url);
                }
                if (!fresh && !retried && staleConnectionFailure(error)) {
                    connection = std::make_unique<HttpConnection>(parsed.endpoint, context);
                    continue;
                }
                throwFetchError(error, url, Phase::Exchange, request.readTimeout);
            }
            return std::make_unique<HttpStream::Impl>(pool, std::move(connection), response, url,
                                                      request.readTimeout);
        }
    }

    [[noreturn]] static void throwCancelled(const std::string& url) {
        throw FetchError("The transfer of " + url + " was cancelled.", ErrorKind::Permanent);
    }
};

HttpClient::HttpClient() : HttpClient(Options{}) {}

HttpClient::HttpClient(Options options) : impl_(std::make_unique<Impl>()) {
    initializeNetworkOnce();
    impl_->options = std::move(options);
    if (impl_->options.userAgent.empty()) {
        impl_->options.userAgent = "confcap/" CONFCAP_VERSION;
    }
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::get(const HttpRequest& request) {
    std::string body;
    HttpResponse response = get(request, body);
    response.body = std::move(body);
    return response;
}

HttpResponse HttpClient::get(const HttpRequest& request, std::string& body) {
    auto stream = open(request);
    HttpResponse response;
    response.status = stream->status();
    response.finalUrl = stream->finalUrl();
    response.headers = stream->headers();

    const std::size_t limit = std::min(request.maxBodyBytes.value_or(kDefaultMaxBodyBytes),
                                       std::numeric_limits<std::size_t>::max() - 1);
    const auto tooLarge = [&] {
        return FetchError("The response of " + response.finalUrl + " is larger than " +
                              std::to_string(limit) + " bytes.",
                          ErrorKind::Permanent);
    };
    std::size_t initial = 64 * 1024;
    if (const auto length = stream->contentLength()) {
        if (*length > limit) {
            throw tooLarge();
        }
        // One byte more than announced, so the end is seen without growing the buffer; a large
        // announcement is not trusted with memory before its bytes arrive.
        initial = static_cast<std::size_t>(std::min<std::uint64_t>(*length, kMaxInitialBuffer)) + 1;
    }
    // Sized, not cleared: bytes a reused body already holds are overwritten, not zeroed first.
    body.resize(initial);
    std::size_t used = 0;
    for (;;) {
        if (used == body.size()) {
            body.resize(std::min(body.size() * 2, limit + 1));
        }
        const std::size_t n = stream->read(body.data() + used, body.size() - used);
        if (n == 0) {
            break;
        }
        used += n;
        if (used > limit) {
            throw tooLarge();
        }
    }
    body.resize(used);
    return response;
}

std::unique_ptr<HttpStream> HttpClient::open(const HttpRequest& request) {
    return impl_->open(request);
}

void HttpClient::abort() noexcept {
    impl_->pool->abort();
}

std::size_t HttpClient::connectionsOpened() const noexcept {
    return impl_->pool->connects();
}

}  // namespace confcap::fetch
