#include "confcap/status/RequestHead.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPMessage.h>
#include <Poco/Net/IPAddress.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>

#include "confcap/core/Text.h"

namespace confcap::status {

namespace {

/// Where the head ends (just past its blank line), or npos while it does not.
std::size_t headEnd(std::string_view bytes) {
    for (std::size_t at = bytes.find('\n'); at != std::string_view::npos;
         at = bytes.find('\n', at + 1)) {
        if (at + 1 < bytes.size() && bytes[at + 1] == '\n') {
            return at + 2;
        }
        if (at + 2 < bytes.size() && bytes[at + 1] == '\r' && bytes[at + 2] == '\n') {
            return at + 3;
        }
    }
    return std::string_view::npos;
}

bool isTokenChar(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127) {
        return false;
    }
    return std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
}

bool isVisible(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 32 && u != 127;
}

/// A field value may hold visible characters, spaces and tabs, and bytes above 127 (obs-text).
bool isFieldValue(std::string_view value) {
    return std::all_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u == '\t' || (u >= 32 && u != 127);
    });
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

/// The authority of an absolute-form target ("http://127.0.0.1:8080/x" -> "127.0.0.1:8080");
/// nullopt for an origin-form one ("/x").
std::optional<std::string> authorityOf(const std::string& target) {
    if (target.empty() || target.front() == '/') {
        return std::nullopt;
    }
    const auto scheme = target.find("://");
    if (scheme == std::string::npos) {
        return std::nullopt;
    }
    const auto start = scheme + 3;
    const auto end = target.find_first_of("/?#", start);
    return target.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

HeadReading readRequestHead(std::string_view bytes) {
    std::size_t start = 0;
    while (start < bytes.size() && (bytes[start] == '\r' || bytes[start] == '\n')) {
        ++start;
    }
    if (start > kMaxRequestHead) {
        return HeadRefusal{431, "only empty lines"};
    }
    const auto rest = bytes.substr(start);
    const auto end = headEnd(rest);
    if (end == std::string_view::npos) {
        if (bytes.size() >= kMaxRequestHead) {
            return HeadRefusal{431, "request head too long"};
        }
        return HeadIncomplete{};
    }
    if (start + end > kMaxRequestHead) {
        return HeadRefusal{431, "request head too long"};
    }
    const auto head = rest.substr(0, end);
    // Poco reads leniently (a bare CR passes as a line end, NUL as a character); what it lets
    // through is refused here first.
    for (std::size_t i = 0; i < head.size(); ++i) {
        const auto c = static_cast<unsigned char>(head[i]);
        if (c == 0 || (c == '\r' && (i + 1 == head.size() || head[i + 1] != '\n'))) {
            return HeadRefusal{400, "control character in the request head"};
        }
    }
    // Poco joins a line that starts with a space to the field above (obsolete folding) and
    // skips a line without a colon; a proxy in front may read either otherwise, so both are
    // refused.
    for (auto at = head.find('\n'); at != std::string_view::npos && at + 1 < head.size();) {
        const auto next = head.find('\n', at + 1);
        auto line = head.substr(at + 1, next == std::string_view::npos ? head.npos : next - at - 1);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (!line.empty()) {
            if (line.front() == ' ' || line.front() == '\t') {
                return HeadRefusal{400, "folded header line"};
            }
            if (line.find(':') == std::string_view::npos) {
                return HeadRefusal{400, "header line without a colon"};
            }
        }
        at = next;
    }
    RequestHead result;
    try {
        std::istringstream in{std::string(head)};
        result.request.read(in);
    } catch (const Poco::Exception& e) {
        return HeadRefusal{400, e.message().empty() ? e.displayText() : e.message()};
    }
    const auto& method = result.request.getMethod();
    if (method.empty() || !std::all_of(method.begin(), method.end(), isTokenChar)) {
        return HeadRefusal{400, "malformed method"};
    }
    const auto& version = result.request.getVersion();
    if (version != Poco::Net::HTTPMessage::HTTP_1_1 &&
        version != Poco::Net::HTTPMessage::HTTP_1_0) {
        return HeadRefusal{version.starts_with("HTTP/") ? 505 : 400, "unsupported HTTP version"};
    }
    const auto& target = result.request.getURI();
    if (target.empty() || !std::all_of(target.begin(), target.end(), isVisible) ||
        !(target.front() == '/' || target.starts_with("http://") ||
          target.starts_with("https://"))) {
        return HeadRefusal{400, "malformed request target"};
    }
    for (const auto& [name, value] : result.request) {
        if (name.empty() || !std::all_of(name.begin(), name.end(), isTokenChar) ||
            !isFieldValue(value)) {
            return HeadRefusal{400, "malformed header field"};
        }
    }
    // Two Host fields, or two lengths, make a request that two servers may read differently.
    for (const std::string_view single : {"Host", "Content-Length"}) {
        const auto count = std::count_if(
            result.request.begin(), result.request.end(),
            [single](const auto& field) { return core::equalsIgnoreCase(field.first, single); });
        if (count > 1) {
            return HeadRefusal{400, "more than one " + std::string(single)};
        }
    }
    result.length = start + end;
    const auto connection = result.request.get("Connection", "");
    const auto said = [&connection](std::string_view token) {
        std::string lower = connection;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return lower.find(token) != std::string::npos;
    };
    result.keepAlive =
        version == Poco::Net::HTTPMessage::HTTP_1_1 ? !said("close") : said("keep-alive");
    const auto length = core::trimmed(result.request.get("Content-Length", ""));
    result.hasBody = result.request.has("Transfer-Encoding") || (!length.empty() && length != "0");
    return result;
}

bool namesOnlyLoopback(const Poco::Net::HTTPRequest& head) {
    // An absolute-form target names its host itself, which a client or proxy may take first.
    const auto authority = authorityOf(head.getURI());
    return (!head.has("Host") || isLoopbackName(hostOf(head.getHost()))) &&
           (!authority ||
            (authority->find('@') == std::string::npos && isLoopbackName(hostOf(*authority))));
}

}  // namespace confcap::status
