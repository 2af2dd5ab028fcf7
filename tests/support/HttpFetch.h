// One HTTP request to a loopback server under test, and what came back: status, headers, body.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <cstdint>
#include <map>
#include <string>

namespace confcap::testing {

/// A whole response, the body read to its end.
struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;
    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// Sends `method` for `uri` to 127.0.0.1:`port` with `headers` and reads the response (10 s
/// timeout). Throws Poco::Exception when the server cannot be reached.
inline Response fetch(std::uint16_t port, const std::string& uri,
                      const std::map<std::string, std::string>& headers = {},
                      const std::string& method = Poco::Net::HTTPRequest::HTTP_GET) {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    Response out;
    out.status = static_cast<int>(response.getStatus());
    for (const auto& [name, value] : response) {
        out.headers[name] = value;
    }
    Poco::StreamCopier::copyToString(in, out.body);
    return out;
}

}  // namespace confcap::testing
