#include "confcap/fetch/HttpClient.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timestamp.h>

#include "confcap/core/Error.h"
#include "confcap/demo/LoopbackServer.h"
#include "support/RefusingPort.h"

BOOST_AUTO_TEST_SUITE(HttpClientTest)

namespace {

using namespace std::chrono_literals;
using confcap::core::ErrorKind;
using confcap::core::FetchError;
using confcap::demo::LoopbackServer;
using confcap::fetch::HttpClient;
using confcap::fetch::HttpRequest;
using confcap::fetch::HttpStream;
using confcap::fetch::kDefaultMaxBodyBytes;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using Clock = std::chrono::steady_clock;

const std::string kCertificate = CONFCAP_SOURCE_DIR "/tests/data/tls/localhost.crt";
const std::string kPrivateKey = CONFCAP_SOURCE_DIR "/tests/data/tls/localhost.key";

// Holds stalled server handlers until the test lets them go (at the latest after 10 s).
class Gate {
public:
    void wait() {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, 10s, [&] { return open_; });
    }
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        cv_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool open_ = false;
};

// Declared after the server, so stalled handlers are released before the server is stopped.
struct OpenOnExit {
    std::shared_ptr<Gate> gate;
    ~OpenOnExit() { gate->open(); }
};

void sendText(HTTPServerResponse& response, const std::string& body,
              HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK) {
    response.setStatus(status);
    response.setContentType("text/plain");
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    response.send() << body;
}

void redirect(HTTPServerResponse& response, const std::string& location,
              HTTPResponse::HTTPStatus status) {
    response.setStatus(status);
    response.set("Location", location);
    response.setContentLength(0);
    response.send();
}

std::string randomBytes(std::size_t size) {
    std::mt19937_64 random(42);
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; i += 8) {
        const auto value = random();
        for (std::size_t j = 0; j < 8 && i + j < size; ++j) {
            bytes[i + j] = static_cast<char>(value >> (8 * j));
        }
    }
    return bytes;
}

HttpRequest requestFor(const std::string& url) {
    HttpRequest request;
    request.url = url;
    request.connectTimeout = 2s;
    request.readTimeout = 2s;
    return request;
}

template <class F>
FetchError fetchError(F&& f) {
    try {
        f();
    } catch (const FetchError& error) {
        return error;
    }
    BOOST_FAIL("no FetchError was thrown");
    throw std::logic_error("unreachable");
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(returns_the_body_status_and_headers_of_a_200) {
    std::string userAgent;
    LoopbackServer server([&](HTTPServerRequest& request, HTTPServerResponse& response) {
        userAgent = request.get("User-Agent", "");
        response.set("ETag", "\"v1\"");
        sendText(response, "hello, " + request.getURI());
    });
    HttpClient client;
    const auto response = client.get(requestFor(server.url("/talks?day=1")));
    BOOST_TEST(response.status == 200);
    BOOST_TEST(response.body == "hello, /talks?day=1");
    BOOST_TEST(response.finalUrl == server.url("/talks?day=1"));
    BOOST_TEST(response.headers.get("etag").value_or("") == "\"v1\"");
    BOOST_TEST(response.headers.get("CONTENT-TYPE").value_or("") == "text/plain");
    BOOST_TEST(!response.headers.get("X-Missing"));
    BOOST_TEST(userAgent == "confcap/" CONFCAP_VERSION);
}

BOOST_AUTO_TEST_CASE(follows_a_chain_of_relative_and_absolute_redirects) {
    std::string finalTarget;
    LoopbackServer* self = nullptr;
    LoopbackServer server([&](HTTPServerRequest& request, HTTPServerResponse& response) {
        const std::string uri = request.getURI();
        if (uri == "/start") {
            redirect(response, "/hop/one", HTTPResponse::HTTP_FOUND);
        } else if (uri == "/hop/one") {
            redirect(response, "two?x=1", HTTPResponse::HTTP_SEE_OTHER);
        } else if (uri == "/hop/two?x=1") {
            redirect(response, self->url("/abs"), HTTPResponse::HTTP_MOVED_PERMANENTLY);
        } else if (uri == "/abs") {
            redirect(response, "../end", HTTPResponse::HTTP_TEMPORARY_REDIRECT);
        } else if (uri == "/end") {
            redirect(response, "/final", HTTPResponse::HTTP_PERMANENT_REDIRECT);
        } else {
            finalTarget = uri;
            sendText(response, "arrived");
        }
    });
    self = &server;
    HttpClient client;
    const auto response = client.get(requestFor(server.url("/start")));
    BOOST_TEST(response.status == 200);
    BOOST_TEST(response.body == "arrived");
    BOOST_TEST(finalTarget == "/final");
    BOOST_TEST(response.finalUrl == server.url("/final"));
    // The redirects' bodies were drained, so every hop reused one connection.
    BOOST_TEST(server.connections() == 1u);
}

BOOST_AUTO_TEST_CASE(gives_up_after_too_many_redirects) {
    std::atomic<int> requests{0};
    LoopbackServer server([&](HTTPServerRequest&, HTTPServerResponse& response) {
        redirect(response, "/loop/" + std::to_string(++requests), HTTPResponse::HTTP_FOUND);
    });
    HttpClient client;
    auto request = requestFor(server.url("/loop/0"));
    request.maxRedirects = 3;
    const auto error = fetchError([&] { client.get(request); });
    BOOST_TEST((error.kind() == ErrorKind::Permanent));
    BOOST_TEST(contains(error.what(), server.url("/loop/0")));
    BOOST_TEST(contains(error.what(), "3 redirects"));
    BOOST_TEST(requests.load() == 4);
}

BOOST_AUTO_TEST_CASE(a_404_is_a_permanent_error_naming_the_url) {
    LoopbackServer server([](HTTPServerRequest&, HTTPServerResponse& response) {
        sendText(response, "no such page", HTTPResponse::HTTP_NOT_FOUND);
    });
    HttpClient client;
    const auto error = fetchError([&] { client.get(requestFor(server.url("/missing.xml"))); });
    BOOST_TEST((error.kind() == ErrorKind::Permanent));
    BOOST_TEST(error.httpStatus() == 404);
    BOOST_TEST(!error.retryAfter());
    BOOST_TEST(std::string(error.what()) ==
               server.url("/missing.xml") + " answered HTTP 404 Not Found.");
}

BOOST_AUTO_TEST_CASE(a_503_is_transient_with_retry_after_in_seconds) {
    LoopbackServer server([](HTTPServerRequest&, HTTPServerResponse& response) {
        response.set("Retry-After", "7");
        sendText(response, "busy", HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
    });
    HttpClient client;
    const auto error = fetchError([&] { client.get(requestFor(server.url("/live.m3u8"))); });
    BOOST_TEST((error.kind() == ErrorKind::Transient));
    BOOST_TEST(error.httpStatus() == 503);
    BOOST_TEST((error.retryAfter() == std::optional(std::chrono::seconds(7))));
    BOOST_TEST(contains(error.what(), server.url("/live.m3u8")));
}

BOOST_AUTO_TEST_CASE(a_429_is_transient_with_retry_after_as_an_http_date) {
    LoopbackServer server([](HTTPServerRequest&, HTTPServerResponse& response) {
        // Far from the local clock on purpose: the delay is measured against the Date field.
        const Poco::Timestamp date = Poco::Timestamp::fromEpochTime(1'000'000'000);
        const Poco::Timestamp later = date + Poco::Timespan(120, 0);
        response.set("Date",
                     Poco::DateTimeFormatter::format(date, Poco::DateTimeFormat::HTTP_FORMAT));
        response.set("Retry-After",
                     Poco::DateTimeFormatter::format(later, Poco::DateTimeFormat::HTTP_FORMAT));
        sendText(response, "slow down", HTTPResponse::HTTP_TOO_MANY_REQUESTS);
    });
    HttpClient client;
    const auto error = fetchError([&] { client.get(requestFor(server.url("/"))); });
    BOOST_TEST((error.kind() == ErrorKind::Transient));
    BOOST_TEST(error.httpStatus() == 429);
    BOOST_TEST((error.retryAfter() == std::optional(std::chrono::seconds(120))));
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_transient) {
    const confcap::testing::RefusingPort refusing;
    const std::string url = "http://127.0.0.1:" + std::to_string(refusing.port()) + "/schedule.xml";
    HttpClient client;
    const auto error = fetchError([&] { client.get(requestFor(url)); });
    BOOST_TEST((error.kind() == ErrorKind::Transient));
    BOOST_TEST(error.httpStatus() == 0);
    BOOST_TEST(std::string(error.what()) ==
               "Could not connect to " + url + ": connection refused.");
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_times_out_within_the_read_timeout) {
    auto gate = std::make_shared<Gate>();
    LoopbackServer server([gate](HTTPServerRequest&, HTTPServerResponse& response) {
        gate->wait();
        sendText(response, "too late");
    });
    OpenOnExit release{gate};
    HttpClient client;
    auto request = requestFor(server.url("/stall"));
    request.readTimeout = 300ms;
    const auto start = Clock::now();
    const auto error = fetchError([&] { client.get(request); });
    const auto elapsed = Clock::now() - start;
    BOOST_TEST((error.kind() == ErrorKind::Transient));
    BOOST_TEST(std::string(error.what()) ==
               "Reading " + server.url("/stall") + " stalled: no data for 300 ms.");
    BOOST_TEST(elapsed >= 250ms);
    BOOST_TEST(elapsed < 10s);
}

BOOST_AUTO_TEST_CASE(a_stream_that_stalls_mid_body_times_out_within_the_read_timeout) {
    auto gate = std::make_shared<Gate>();
    LoopbackServer server([gate](HTTPServerRequest&, HTTPServerResponse& response) {
        response.setChunkedTransferEncoding(true);
        auto& out = response.send();
        out << "first bytes";
        out.flush();
        gate->wait();
    });
    OpenOnExit release{gate};
    HttpClient client;
    auto request = requestFor(server.url("/live.ts"));
    request.readTimeout = 400ms;
    auto stream = client.open(request);
    std::string buffer(1024, '\0');
    const std::size_t n = stream->read(buffer.data(), buffer.size());
    BOOST_TEST(buffer.substr(0, n) == "first bytes");
    const auto start = Clock::now();
    const auto error = fetchError([&] { stream->read(buffer.data(), buffer.size()); });
    const auto elapsed = Clock::now() - start;
    BOOST_TEST((error.kind() == ErrorKind::Transient));
    BOOST_TEST(contains(error.what(), "no data for 400 ms"));
    BOOST_TEST(contains(error.what(), server.url("/live.ts")));
    BOOST_TEST(elapsed >= 350ms);
    BOOST_TEST(elapsed < 10s);
}

BOOST_AUTO_TEST_CASE(several_requests_share_one_kept_alive_connection) {
    LoopbackServer server([](HTTPServerRequest& request, HTTPServerResponse& response) {
        if (request.getURI() == "/chunked") {
            response.setChunkedTransferEncoding(true);
            auto& out = response.send();
            out << "part one, ";
            out.flush();
            out << "part two";
        } else {
            sendText(response, "segment " + request.getURI());
        }
    });
    HttpClient client;
    for (int i = 0; i < 5; ++i) {
        const auto path = "/seg" + std::to_string(i) + ".ts";
        BOOST_TEST(client.get(requestFor(server.url(path))).body == "segment " + path);
        BOOST_TEST(client.get(requestFor(server.url("/chunked"))).body == "part one, part two");
    }
    BOOST_TEST(server.connections() == 1u);
    BOOST_TEST(client.connectionsOpened() == 1u);
}

BOOST_AUTO_TEST_CASE(a_reused_body_holds_exactly_each_new_response) {
    // Longer and shorter bodies, with and without a length, into the same string.
    LoopbackServer server([](HTTPServerRequest& request, HTTPServerResponse& response) {
        const auto uri = request.getURI();
        const auto size = std::stoul(uri.substr(uri.rfind('/') + 1));
        const std::string body(size, static_cast<char>('a' + size % 26));
        if (uri.rfind("/chunked/", 0) == 0) {
            response.setChunkedTransferEncoding(true);
            response.send() << body;
        } else {
            sendText(response, body);
        }
    });
    HttpClient client;
    std::string body = "what the string held before";
    for (const std::string path :
         {"/300000", "/5", "/chunked/200000", "/0", "/chunked/7", "/100000"}) {
        const auto response = client.get(requestFor(server.url(path)), body);
        const auto size = std::stoul(path.substr(path.rfind('/') + 1));
        BOOST_TEST(response.status == 200);
        BOOST_TEST(response.body.empty());
        BOOST_TEST(body.size() == size, path);
        BOOST_TEST((body == std::string(size, static_cast<char>('a' + size % 26))), path);
    }
}

BOOST_AUTO_TEST_CASE(a_connection_the_server_closes_is_replaced) {
    LoopbackServer server([](HTTPServerRequest&, HTTPServerResponse& response) {
        response.setKeepAlive(false);
        sendText(response, "once");
    });
    HttpClient client;
    BOOST_TEST(client.get(requestFor(server.url("/a"))).body == "once");
    BOOST_TEST(client.get(requestFor(server.url("/b"))).body == "once");
    BOOST_TEST(server.connections() == 2u);
}

// Servers often time idle connections out sooner than clients do; the request that finds its
// kept-alive connection closed is sent again on a new one instead of failing.
BOOST_AUTO_TEST_CASE(a_kept_alive_connection_closed_while_idle_is_replaced) {
    Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
    std::atomic<int> accepted{0};
    std::thread server([&] {
        for (int i = 0; i < 2; ++i) {
            Poco::Net::StreamSocket connection = listener.acceptConnection();
            ++accepted;
            connection.setReceiveTimeout(Poco::Timespan(5, 0));
            std::string request;
            char buffer[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                const int n = connection.receiveBytes(buffer, sizeof buffer);
                if (n <= 0) {
                    break;
                }
                request.append(buffer, static_cast<std::size_t>(n));
            }
            // Announces keep-alive, then closes anyway, as an idle timeout would.
            const std::string response =
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok";
            connection.sendBytes(response.data(), static_cast<int>(response.size()));
            connection.close();
        }
    });
    const std::string url = "http://127.0.0.1:" + std::to_string(listener.address().port()) + "/";
    HttpClient client;
    BOOST_TEST(client.get(requestFor(url)).body == "ok");
    std::this_thread::sleep_for(100ms);
    BOOST_TEST(client.get(requestFor(url)).body == "ok");
    server.join();
    BOOST_TEST(accepted.load() == 2);
    BOOST_TEST(client.connectionsOpened() == 2u);
}

BOOST_AUTO_TEST_CASE(returns_a_304_for_a_conditional_request) {
    LoopbackServer server([](HTTPServerRequest& request, HTTPServerResponse& response) {
        if (request.get("If-None-Match", "") == "\"v1\"") {
            response.setStatus(HTTPResponse::HTTP_NOT_MODIFIED);
            response.send();
        } else {
            sendText(response, "schedule");
        }
    });
    HttpClient client;
    auto request = requestFor(server.url("/schedule.xml"));
    request.headers.emplace_back("If-None-Match", "\"v1\"");
    const auto response = client.get(request);
    BOOST_TEST(response.status == 304);
    BOOST_TEST(response.body.empty());
    BOOST_TEST(client.get(requestFor(server.url("/schedule.xml"))).body == "schedule");
    BOOST_TEST(server.connections() == 1u);
}

BOOST_AUTO_TEST_CASE(refuses_a_body_larger_than_the_limit) {
    LoopbackServer server([](HTTPServerRequest& request, HTTPServerResponse& response) {
        if (request.getURI() == "/chunked") {
            response.setChunkedTransferEncoding(true);
            response.send() << std::string(1000, 'x');
        } else {
            sendText(response, std::string(1000, 'x'));
        }
    });
    HttpClient client;
    for (const char* path : {"/length", "/chunked"}) {
        auto request = requestFor(server.url(path));
        request.maxBodyBytes = 100;
        const auto error = fetchError([&] { client.get(request); });
        BOOST_TEST((error.kind() == ErrorKind::Permanent));
        BOOST_TEST(contains(error.what(), "larger than 100 bytes"));
        request.maxBodyBytes = 1000;
        BOOST_TEST(client.get(request).body.size() == 1000u);
    }
}

// Content-Length was trusted with memory when a request set no limit, as HLS segment downloads
// do: 50 GB aborted the process, 2^63-1 threw std::length_error (issue 11).
BOOST_AUTO_TEST_CASE(a_huge_announced_length_is_refused_without_a_limit_set) {
    for (const char* length : {"50000000000", "9223372036854775807"}) {
        Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
        std::thread server([&] {
            Poco::Net::StreamSocket connection = listener.acceptConnection();
            connection.setReceiveTimeout(Poco::Timespan(5, 0));
            std::string request;
            char buffer[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                const int n = connection.receiveBytes(buffer, sizeof buffer);
                if (n <= 0) {
                    break;
                }
                request.append(buffer, static_cast<std::size_t>(n));
            }
            const std::string response =
                "HTTP/1.1 200 OK\r\nContent-Length: " + std::string(length) +
                "\r\nConnection: close\r\n\r\nxxxx";
            connection.sendBytes(response.data(), static_cast<int>(response.size()));
            connection.close();
        });
        const std::string url =
            "http://127.0.0.1:" + std::to_string(listener.address().port()) + "/segment.ts";
        HttpClient client;
        const auto error = fetchError([&] { client.get(requestFor(url)); });
        server.join();
        BOOST_TEST((error.kind() == ErrorKind::Permanent));
        BOOST_TEST(std::string(error.what()) == "The response of " + url + " is larger than " +
                                                    std::to_string(kDefaultMaxBodyBytes) +
                                                    " bytes.");
    }
}

BOOST_AUTO_TEST_CASE(a_large_announced_length_that_never_comes_is_a_transient_error) {
    LoopbackServer server([](HTTPServerRequest&, HTTPServerResponse& response) {
        response.setKeepAlive(false);
        response.setContentLength64(200 * 1024 * 1024);
        response.send() << std::string(10, 'x');
    });
    HttpClient client;
    const auto error = fetchError([&] { client.get(requestFor(server.url("/cut"))); });
    BOOST_TEST((error.kind() == ErrorKind::Transient));
    BOOST_TEST(contains(error.what(), "closed after 10 of 209715200 bytes"));
}

BOOST_AUTO_TEST_CASE(a_body_cut_short_is_a_transient_error) {
    LoopbackServer server([](HTTPServerRequest&, HTTPServerResponse& response) {
        response.setKeepAlive(false);
        response.setContentLength(1000);
        response.send() << std::string(10, 'x');
    });
    HttpClient client;
    const auto error = fetchError([&] { client.get(requestFor(server.url("/cut"))); });
    BOOST_TEST((error.kind() == ErrorKind::Transient));
    BOOST_TEST(std::string(error.what()) ==
               "The connection to " + server.url("/cut") + " closed after 10 of 1000 bytes.");
}

BOOST_AUTO_TEST_CASE(rejects_urls_it_cannot_fetch) {
    HttpClient client;
    for (const char* url : {"ftp://example.org/schedule.xml", "schedule.xml", "http:///x",
                            "http://host:99999/", "http://exa mple.org/"}) {
        const auto error = fetchError([&] { client.get(requestFor(url)); });
        BOOST_TEST((error.kind() == ErrorKind::Unusable), url);
        BOOST_TEST(contains(error.what(), url), url);
    }
}

// The framings a progressive stream may use: Content-Length, chunked, or until the server closes.
BOOST_DATA_TEST_CASE(streams_a_large_body_byte_for_byte,
                     boost::unit_test::data::make({"length", "chunked", "close"}), framing) {
    const std::string expected = randomBytes(8 * 1024 * 1024 + 123);
    const std::string mode = framing;
    LoopbackServer server([&](HTTPServerRequest&, HTTPServerResponse& response) {
        response.setContentType("video/mp2t");
        if (mode == "length") {
            response.setContentLength64(static_cast<Poco::Int64>(expected.size()));
        } else if (mode == "chunked") {
            response.setChunkedTransferEncoding(true);
        } else {
            response.setKeepAlive(false);
        }
        auto& out = response.send();
        // Uneven pieces, so chunk boundaries fall anywhere in the client's reads.
        std::size_t offset = 0;
        for (std::size_t piece = 1; offset < expected.size(); piece = piece * 3 % 100'003) {
            const std::size_t n = std::min(piece, expected.size() - offset);
            out.write(expected.data() + offset, static_cast<std::streamsize>(n));
            offset += n;
        }
    });
    HttpClient client;
    auto stream = client.open(requestFor(server.url("/live.ts")));
    BOOST_TEST(stream->status() == 200);
    BOOST_TEST(stream->headers().get("Content-Type").value_or("") == "video/mp2t");

    std::string received;
    std::string buffer(256 * 1024, '\0');
    while (const std::size_t n = stream->read(buffer.data(), buffer.size())) {
        received.append(buffer.data(), n);
    }
    BOOST_TEST(stream->read(buffer.data(), buffer.size()) == 0u);
    BOOST_TEST(stream->bytesRead() == expected.size());
    BOOST_TEST(received.size() == expected.size());
    BOOST_TEST((received == expected));
}

BOOST_AUTO_TEST_CASE(abort_from_another_thread_ends_a_blocked_read_at_once) {
    auto gate = std::make_shared<Gate>();
    LoopbackServer server([gate](HTTPServerRequest&, HTTPServerResponse& response) {
        response.setChunkedTransferEncoding(true);
        response.send().flush();
        gate->wait();
    });
    OpenOnExit release{gate};
    HttpClient client;
    auto request = requestFor(server.url("/live.ts"));
    request.readTimeout = 10s;
    auto stream = client.open(request);
    std::thread stopper([&] {
        std::this_thread::sleep_for(200ms);
        client.abort();
    });
    const auto start = Clock::now();
    char buffer[1024];
    const auto error = fetchError([&] { stream->read(buffer, sizeof buffer); });
    const auto elapsed = Clock::now() - start;
    stopper.join();
    BOOST_TEST((error.kind() == ErrorKind::Permanent));
    BOOST_TEST(contains(error.what(), "cancelled"));
    BOOST_TEST(elapsed < 5s);  // the read timeout is 10 s
    // The client refuses further work once aborted.
    const auto later = fetchError([&] { client.get(request); });
    BOOST_TEST(contains(later.what(), "cancelled"));
}

BOOST_AUTO_TEST_CASE(https_fails_verification_without_the_ca) {
    LoopbackServer server(
        [](HTTPServerRequest&, HTTPServerResponse& response) { sendText(response, "secret"); },
        LoopbackServer::Options{kCertificate, kPrivateKey});
    HttpClient client;
    const auto url = server.url("/schedule.xml");
    BOOST_TEST(url.rfind("https://", 0) == 0u);
    const auto error = fetchError([&] { client.get(requestFor(url)); });
    BOOST_TEST((error.kind() == ErrorKind::Permanent));
    BOOST_TEST(contains(error.what(), "certificate"));
    BOOST_TEST(contains(error.what(), url));
    BOOST_TEST_MESSAGE(error.what());
}

BOOST_AUTO_TEST_CASE(https_succeeds_with_the_ca_given_as_extra_file) {
    LoopbackServer server(
        [](HTTPServerRequest& request, HTTPServerResponse& response) {
            sendText(response, "secret " + request.getURI());
        },
        LoopbackServer::Options{kCertificate, kPrivateKey});
    HttpClient client(HttpClient::Options{kCertificate, {}});
    BOOST_TEST(client.get(requestFor(server.url("/a"))).body == "secret /a");
    BOOST_TEST(client.get(requestFor(server.url("/b"))).body == "secret /b");
    BOOST_TEST(server.connections() == 1u);
}

BOOST_AUTO_TEST_CASE(an_https_stream_that_stalls_times_out) {
    auto gate = std::make_shared<Gate>();
    LoopbackServer server(
        [gate](HTTPServerRequest&, HTTPServerResponse& response) {
            response.setChunkedTransferEncoding(true);
            auto& out = response.send();
            out << "hello";
            out.flush();
            gate->wait();
        },
        LoopbackServer::Options{kCertificate, kPrivateKey});
    OpenOnExit release{gate};
    HttpClient client(HttpClient::Options{kCertificate, {}});
    auto request = requestFor(server.url("/live.ts"));
    request.readTimeout = 3s;
    auto stream = client.open(request);
    char buffer[1024];
    BOOST_TEST(stream->read(buffer, sizeof buffer) == 5u);
    const auto start = Clock::now();
    const auto error = fetchError([&] { stream->read(buffer, sizeof buffer); });
    const auto elapsed = Clock::now() - start;
    BOOST_TEST((error.kind() == ErrorKind::Transient));
    BOOST_TEST(contains(error.what(), "no data for 3 s"));
    // Poco alone would wait a second timeout (6 s in all) before giving up on a TLS read.
    BOOST_TEST(elapsed >= 2900ms);
    BOOST_TEST(elapsed < 5500ms);
}

BOOST_AUTO_TEST_CASE(a_missing_ca_file_is_an_unusable_error_naming_it) {
    LoopbackServer server(
        [](HTTPServerRequest&, HTTPServerResponse& response) { sendText(response, "x"); },
        LoopbackServer::Options{kCertificate, kPrivateKey});
    HttpClient client(HttpClient::Options{"/nonexistent/ca.pem", {}});
    const auto error = fetchError([&] { client.get(requestFor(server.url("/"))); });
    BOOST_TEST((error.kind() == ErrorKind::Unusable));
    BOOST_TEST(contains(error.what(), "/nonexistent/ca.pem"));
}

BOOST_AUTO_TEST_SUITE_END()
