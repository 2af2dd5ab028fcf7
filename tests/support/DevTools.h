// Headless Chromium driven over its DevTools protocol, for what its command line cannot do:
// a viewport narrower than its 500 px minimum window (a phone's 390 px), reading a value the
// page computed, and a screenshot of that viewport.
#pragma once

#include <Poco/Base64Decoder.h>
#include <Poco/Buffer.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/Browser.h"
#include "support/ChildProcess.h"

namespace confcap::testing {

/// One Chromium with one page, controlled through DevTools. Throws std::runtime_error when
/// Chromium does not come up or a call fails.
class DevToolsPage {
public:
    /// Starts Chromium with a profile under `folder`.
    explicit DevToolsPage(const std::filesystem::path& folder) : profile_(folder / "devtools") {
        std::filesystem::create_directories(profile_ / "home");
        const auto home = (profile_ / "home").string();
        chromium_ = std::make_unique<ChildProcess>(
            kChromium,
            std::vector<std::string>{
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--hide-scrollbars", "--remote-debugging-port=0",
                "--user-data-dir=" + (profile_ / "data").string(), "about:blank"},
            profile_, std::map<std::string, std::string>{{"HOME", home}});
        // Chromium writes the port it chose into the profile: a process boundary, so poll.
        const auto portFile = profile_ / "data" / "DevToolsActivePort";
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        int port = 0;
        while (port == 0 && std::chrono::steady_clock::now() < deadline) {
            std::ifstream in(portFile);
            if (!(in >> port)) {
                port = 0;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        if (port == 0) {
            throw std::runtime_error("chromium did not open DevTools: " + chromium_->err());
        }
        Poco::Net::HTTPClientSession list("127.0.0.1", static_cast<Poco::UInt16>(port));
        Poco::Net::HTTPRequest get(Poco::Net::HTTPRequest::HTTP_GET, "/json/list",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        list.sendRequest(get);
        Poco::Net::HTTPResponse answer;
        const auto targets = Poco::JSON::Parser()
                                 .parse(list.receiveResponse(answer))
                                 .extract<Poco::JSON::Array::Ptr>();
        std::string path;
        for (unsigned i = 0; i < targets->size(); ++i) {
            const auto target = targets->getObject(i);
            if (target->getValue<std::string>("type") == "page") {
                const auto url = target->getValue<std::string>("webSocketDebuggerUrl");
                path = url.substr(url.find('/', std::string("ws://").size()));
                break;
            }
        }
        if (path.empty()) {
            throw std::runtime_error("chromium has no page to control");
        }
        session_ = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1",
                                                                  static_cast<Poco::UInt16>(port));
        Poco::Net::HTTPRequest upgrade(Poco::Net::HTTPRequest::HTTP_GET, path,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        Poco::Net::HTTPResponse upgraded;
        socket_ = std::make_unique<Poco::Net::WebSocket>(*session_, upgrade, upgraded);
        socket_->setReceiveTimeout(Poco::Timespan(30, 0));
        socket_->setMaxPayloadSize(64 * 1024 * 1024);
    }

    /// Calls `method` with `params` (a JSON object's text) and returns its result.
    Poco::JSON::Object::Ptr call(const std::string& method, const std::string& params = "{}") {
        const int id = ++lastId_;
        const auto message = "{\"id\":" + std::to_string(id) + ",\"method\":\"" + method +
                             "\",\"params\":" + params + "}";
        socket_->sendFrame(message.data(), static_cast<int>(message.size()),
                           Poco::Net::WebSocket::FRAME_TEXT);
        for (;;) {
            Poco::Buffer<char> buffer(0);
            int flags = 0;
            const int n = socket_->receiveFrame(buffer, flags);
            if (n <= 0) {
                throw std::runtime_error("DevTools closed during " + method);
            }
            const auto reply = Poco::JSON::Parser()
                                   .parse(std::string(buffer.begin(), buffer.size()))
                                   .extract<Poco::JSON::Object::Ptr>();
            if (!reply->has("id") || reply->getValue<int>("id") != id) {
                continue;  // an event
            }
            if (reply->has("error")) {
                std::ostringstream text;
                reply->getObject("error")->stringify(text);
                throw std::runtime_error(method + " failed: " + text.str());
            }
            return reply->getObject("result");
        }
    }

    /// A viewport of `width` x `height` CSS pixels, as a phone has.
    void viewport(int width, int height) {
        call("Emulation.setDeviceMetricsOverride", "{\"width\":" + std::to_string(width) +
                                                       ",\"height\":" + std::to_string(height) +
                                                       ",\"deviceScaleFactor\":1,\"mobile\":true}");
    }

    /// Loads `url`.
    void navigate(const std::string& url) { call("Page.navigate", "{\"url\":\"" + url + "\"}"); }

    /// The value of the JavaScript `expression` in the page, as text.
    std::string evaluate(const std::string& expression) {
        Poco::JSON::Object params;
        params.set("expression", expression);
        params.set("returnByValue", true);
        std::ostringstream text;
        params.stringify(text);
        const auto result = call("Runtime.evaluate", text.str())->getObject("result");
        return result->has("value") ? result->get("value").toString() : std::string();
    }

    /// Waits up to `limit` until `expression` is true in the page; returns whether it became so.
    bool waitUntil(const std::string& expression, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (evaluate("Boolean(" + expression + ")") == "true") {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }

    /// A PNG of the viewport, written to `file`.
    void screenshot(const std::filesystem::path& file) {
        const auto data =
            call("Page.captureScreenshot", "{\"format\":\"png\"}")->getValue<std::string>("data");
        std::istringstream encoded(data);
        Poco::Base64Decoder decoder(encoded);
        std::ofstream out(file, std::ios::binary);
        Poco::StreamCopier::copyStream(decoder, out);
    }

private:
    std::filesystem::path profile_;
    std::unique_ptr<ChildProcess> chromium_;
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;
    std::unique_ptr<Poco::Net::WebSocket> socket_;
    int lastId_ = 0;
};

}  // namespace confcap::testing
