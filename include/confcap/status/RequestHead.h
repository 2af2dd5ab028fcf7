// Reading an HTTP/1.x request head from the bytes a client sent so far: where it ends, and
// whether it is one the status server answers at all. Pure; the server and its fuzz target use it.
#pragma once

#include <Poco/Net/HTTPRequest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace confcap::status {

/// The most bytes a request head (request line and header fields) may take.
inline constexpr std::size_t kMaxRequestHead = 16 * 1024;

/// A whole request head, as Poco's HTTPRequest reads it.
struct RequestHead {
    Poco::Net::HTTPRequest request;
    /// The bytes the head took from the start of the buffer, its blank line included; what
    /// follows is the next request (a body is never read).
    std::size_t length = 0;
    /// The client asks to keep the connection: HTTP/1.1 without "Connection: close", or
    /// HTTP/1.0 with "Connection: keep-alive".
    bool keepAlive = false;
    /// A body follows (a Content-Length other than 0, or a Transfer-Encoding): it is never
    /// read, so the connection closes after the answer.
    bool hasBody = false;
};

/// The bytes do not end a head yet (and are within kMaxRequestHead): wait for more.
struct HeadIncomplete {};

/// A head the server refuses: the status to answer (400, 431 or 505) and a few words why.
struct HeadRefusal {
    int status = 400;
    std::string why;
};

using HeadReading = std::variant<HeadIncomplete, RequestHead, HeadRefusal>;

/// Reads the request head at the start of `bytes`: the request line, the header fields and the
/// blank line (CRLF or LF line ends; empty lines before the request line are skipped). A head
/// longer than kMaxRequestHead is refused with 431, a malformed one with 400 (control
/// characters, a method that is not a token, a target that is neither origin-form nor
/// absolute-form, more than Poco's 100 fields), an HTTP version other than 1.0 and 1.1 with 505.
/// Any method is read: which are answered is the server's choice. Pure.
HeadReading readRequestHead(std::string_view bytes);

/// Whether the hosts a request names (its Host header, and an absolute-form target's authority)
/// are all loopback ("localhost", *.localhost, 127/8, ::1); an authority with user info is not.
bool namesOnlyLoopback(const Poco::Net::HTTPRequest& head);

}  // namespace confcap::status
