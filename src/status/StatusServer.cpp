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
#include "confcap/status/StatusJson.h"
#include "confcap/status/StatusPage.h"

namespace confcap::status {

namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr std::size_t kEventsInJson = 100;
constexpr std::string_view kBookkeeping = ".confcap";
constexpr std::string_view kSummaryFile = ".confcap/summary.json";

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

struct Refusal {
    HTTPResponse::HTTPStatus status;
    std::string why;
};

std::optional<std::string> realPath(const std::string& path) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) {
        return std::nullopt;
    }
    std::string out(resolved);
    std::free(resolved);
    return out;
}

bool isUnder(std::string_view path, std::string_view root) {
    if (root == "/") {
        return path.size() > 1 && path.front() == '/';
    }
    return path.size() > root.size() + 1 && path.substr(0, root.size()) == root &&
           path[root.size()] == '/';
}

/// Whether `relative` (to the output folder) lies in the bookkeeping folder and is not the
/// summary, the one file of it that is served.
bool isHiddenBookkeeping(std::string_view relative) {
    const auto first = relative.substr(0, relative.find('/'));
    return first == kBookkeeping && relative != kSummaryFile;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// The decoded relative path of a /recordings/ request, or why it is refused. Checks run on the
/// raw and the decoded text so that no spelling of "..", "/" or NUL gets through.
std::variant<std::string, Refusal> decodeRelativePath(std::string_view encoded) {
    std::string decoded;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] != '%') {
            decoded.push_back(encoded[i]);
            continue;
        }
        const auto high = i + 2 < encoded.size() ? hexValue(encoded[i + 1]) : -1;
        const auto low = i + 2 < encoded.size() ? hexValue(encoded[i + 2]) : -1;
        if (high < 0 || low < 0) {
            return Refusal{HTTPResponse::HTTP_BAD_REQUEST, "malformed percent-encoding"};
        }
        const auto c = static_cast<char>(high * 16 + low);
        if (c == '/' || c == '\\') {
            return Refusal{HTTPResponse::HTTP_FORBIDDEN, "encoded slash"};
        }
        decoded.push_back(c);
        i += 2;
    }
    if (decoded.empty()) {
        return Refusal{HTTPResponse::HTTP_NOT_FOUND, "no file named"};
    }
    if (decoded.find('\0') != std::string::npos || decoded.find('\\') != std::string::npos) {
        return Refusal{HTTPResponse::HTTP_FORBIDDEN, "NUL or backslash"};
    }
    if (decoded.front() == '/') {
        return Refusal{HTTPResponse::HTTP_FORBIDDEN, "absolute path"};
    }
    std::size_t start = 0;
    while (start <= decoded.size()) {
        const auto end = std::min(decoded.find('/', start), decoded.size());
        const auto segment = std::string_view(decoded).substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") {
            return Refusal{HTTPResponse::HTTP_FORBIDDEN, "empty, . or .. segment"};
        }
        start = end + 1;
    }
    if (isHiddenBookkeeping(decoded)) {
        return Refusal{HTTPResponse::HTTP_NOT_FOUND, "bookkeeping"};
    }
    return decoded;
}

/// Opens `relative` under `outputDir` for reading, or says why not. The target is resolved
/// (symlinks included) and checked to lie inside the folder before it is opened, and the opened
/// descriptor is checked again, so a file outside is never read.
std::variant<int, Refusal> openInside(const std::filesystem::path& outputDir,
                                      const std::string& relative) {
    const auto root = realPath(outputDir.string());
    if (!root) {
        return Refusal{HTTPResponse::HTTP_NOT_FOUND, "no output folder"};
    }
    const auto target = realPath(*root + "/" + relative);
    if (!target) {
        return Refusal{HTTPResponse::HTTP_NOT_FOUND, "no such file"};
    }
    if (!isUnder(*target, *root)) {
        return Refusal{HTTPResponse::HTTP_FORBIDDEN, "outside the output folder"};
    }
    const auto resolvedRelative =
        std::string_view(*target).substr(*root == "/" ? 1 : root->size() + 1);
    if (isHiddenBookkeeping(resolvedRelative)) {
        return Refusal{HTTPResponse::HTTP_NOT_FOUND, "bookkeeping"};
    }
    // O_NONBLOCK: opening a FIFO planted in the folder must not hang the handler.
    const int fd = ::open(target->c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        return Refusal{HTTPResponse::HTTP_NOT_FOUND, "cannot open"};
    }
    FileHandle handle(fd);
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        return Refusal{HTTPResponse::HTTP_NOT_FOUND, "not a regular file"};
    }
    // A folder on the way may have been swapped for a symlink since realpath(): ask the kernel
    // what was really opened.
    std::array<char, PATH_MAX> opened{};
    const auto link = "/proc/self/fd/" + std::to_string(fd);
    const auto n = ::readlink(link.c_str(), opened.data(), opened.size() - 1);
    if (n <= 0 || !isUnder(std::string_view(opened.data(), static_cast<std::size_t>(n)), *root)) {
        return Refusal{HTTPResponse::HTTP_FORBIDDEN, "outside the output folder"};
    }
    return handle.release();
}

struct ByteRange {
    std::uint64_t first, last;  // inclusive
};
struct Unsatisfiable {};
struct WholeFile {};
using RangeRequest = std::variant<WholeFile, ByteRange, Unsatisfiable>;

/// A single "bytes=" range against a file of `size` bytes. Multiple ranges and malformed or
/// inverted ranges are ignored (the whole file is sent), as RFC 9110 allows.
RangeRequest parseRange(std::string_view header, std::uint64_t size) {
    const auto trim = [](std::string_view s) {
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
            s.remove_prefix(1);
        }
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
            s.remove_suffix(1);
        }
        return s;
    };
    header = trim(header);
    constexpr std::string_view kUnit = "bytes=";
    if (header.size() <= kUnit.size() || header.substr(0, kUnit.size()) != kUnit ||
        header.find(',') != std::string_view::npos) {
        return WholeFile{};
    }
    const auto spec = trim(header.substr(kUnit.size()));
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
    const auto firstText = trim(spec.substr(0, dash));
    const auto lastText = trim(spec.substr(dash + 1));
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
    static const std::array<std::pair<std::string_view, std::string_view>, 15> kTypes{{
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

    std::string json() const {
        return statusJson(board.jobs(), board.recentEvents(kEventsInJson), now(), summaryUrl());
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
        std::string_view target = request.getURI();
        if (const auto scheme = target.find("://");
            !target.empty() && target.front() != '/' && scheme != std::string_view::npos) {
            // absolute-form request target: drop scheme and authority
            const auto path = target.find('/', scheme + 3);
            target = path == std::string_view::npos ? "/" : target.substr(path);
        }
        const auto path = target.substr(0, target.find_first_of("?#"));
        if (path == "/") {
            const auto jobs = board.jobs();
            const auto events = board.recentEvents(kEventsInJson);
            const auto nonce = randomNonce();
            const auto body = statusPage(jobs, events, now(),
                                         statusJson(jobs, events, now(), summaryUrl()), nonce);
            response.set("Content-Security-Policy",
                         "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" +
                             nonce +
                             "'; connect-src 'self'; img-src data:; media-src 'self'; "
                             "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
            sendBody(response, "text/html; charset=utf-8", body);
        } else if (path == "/api/status") {
            sendBody(response, "application/json", json());
        } else if (path == "/summary.json") {
            serveFile(request, response, std::string(kSummaryFile));
        } else if (constexpr std::string_view kPrefix = "/recordings/";
                   path.substr(0, kPrefix.size()) == kPrefix) {
            auto decoded = decodeRelativePath(path.substr(kPrefix.size()));
            if (const auto* refusal = std::get_if<Refusal>(&decoded)) {
                sendText(response, refusal->status, "Not served.\n");
                return;
            }
            serveFile(request, response, std::get<std::string>(decoded));
        } else {
            sendText(response, HTTPResponse::HTTP_NOT_FOUND, "Not found.\n");
        }
    }

    void serveFile(HTTPServerRequest& request, HTTPServerResponse& response,
                   const std::string& relative) {
        auto opened = openInside(options.outputDir, relative);
        if (const auto* refusal = std::get_if<Refusal>(&opened)) {
            sendText(response, refusal->status, "Not served.\n");
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
        response.setContentType(contentType(relative));
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
