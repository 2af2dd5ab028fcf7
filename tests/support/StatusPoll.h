// Reading a running confcap's status server the way a person's browser or script does: the port
// from its log, then GET /api/status.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "support/ChildProcess.h"

namespace confcap::testing {

/// The port of the status page `confcap` logs ("status page at http://127.0.0.1:PORT"), waiting
/// for that line; 0 when the process exits first.
inline std::uint16_t statusPortOf(const ChildProcess& confcap) {
    const std::string marker = "status page at http://127.0.0.1:";
    while (confcap.running()) {
        const auto err = confcap.err();
        if (const auto at = err.find(marker); at != std::string::npos) {
            return static_cast<std::uint16_t>(std::stoi(err.substr(at + marker.size())));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
}

/// The "jobs" array of GET /api/status on 127.0.0.1:`port`. Throws when nothing answers.
inline Poco::JSON::Array::Ptr statusJobs(std::uint16_t port) {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/api/status");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    auto& body = session.receiveResponse(response);
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>()->getArray("jobs");
}

}  // namespace confcap::testing
