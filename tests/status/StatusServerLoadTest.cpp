// The status server under load on loopback, with real sockets: a thousand connections that send
// half a request and wait, clients that download recordings slowly, more connections than it
// allows; the probe's /api/status must answer within a second throughout, and the recordings
// arrive and stay byte for byte as they are.
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <vector>

#include "confcap/status/StatusServer.h"
#include "support/FakeClock.h"
#include "support/LoadClients.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(StatusServerLoadTest)

using namespace confcap::status;
using namespace confcap::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string recordingBytes(std::size_t size, unsigned seed) {
    std::string bytes(size, '\0');
    std::uint32_t state = seed * 2654435761u + 1;
    for (auto& b : bytes) {
        state = state * 1664525u + 1013904223u;
        b = static_cast<char>(state >> 24);
    }
    return bytes;
}

std::string fileContent(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Server {
    TempDir folder;
    fs::path out = folder.path / "out";
    StatusBoard board;
    FakeClock clock{std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
    std::unique_ptr<StatusServer> server;
    explicit Server(StatusServer::Options options) {
        fs::create_directories(out);
        options.outputDir = out;
        server = std::make_unique<StatusServer>(board, clock, options);
    }
    std::uint16_t port() const { return server->port(); }
};

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

}  // namespace

BOOST_AUTO_TEST_CASE(
    theProbeAnswersWithinASecondBesideAThousandHalfOpenConnectionsAndSlowDownloads) {
    BOOST_TEST_REQUIRE(raiseOpenFileLimit() >= 2400u, "the test needs 2400 open files");
    StatusServer::Options options;
    // Long enough that none of the half-open connections is dropped while the probe is timed:
    // the server must answer beside all of them, not only after it dropped them.
    options.headTimeout = 60s;
    Server s(options);
    BOOST_TEST_REQUIRE(s.server->maxConnections() >= 1100u);
    constexpr std::size_t kFiles = 20;
    constexpr std::size_t kFileSize = 2 * 1024 * 1024;
    std::vector<std::string> contents;
    for (std::size_t i = 0; i < kFiles; ++i) {
        contents.push_back(recordingBytes(kFileSize, static_cast<unsigned>(i)));
        std::ofstream(s.out / ("talk " + std::to_string(i) + ".ts"), std::ios::binary)
            << contents.back();
    }

    const auto loadStart = std::chrono::steady_clock::now();
    // 1000 connections, 25 from each of 40 addresses (under the per-address cap), each sent
    // half a request head and waits.
    HalfOpenConnections halfOpen(s.port(), 1000, 25);
    BOOST_TEST_REQUIRE(halfOpen.opened() == 1000u);
    // 20 clients on thin links: 16 KiB every 50 ms, about 320 KB/s, so a 2 MiB recording takes
    // some 6 s.
    std::vector<std::unique_ptr<SlowDownload>> downloads;
    for (std::size_t i = 0; i < kFiles; ++i) {
        downloads.push_back(std::make_unique<SlowDownload>(
            s.port(), "/recordings/talk%20" + std::to_string(i) + ".ts",
            "127.0.9." + std::to_string(i + 1), 16 * 1024, 50ms, 60s));
    }

    std::vector<double> latencies;
    const auto until = std::chrono::steady_clock::now() + 8s;
    while (std::chrono::steady_clock::now() < until) {
        const auto probe = timedGet(s.port(), "/api/status", 5000ms);
        BOOST_TEST(probe.status == 200);
        latencies.push_back(probe.seconds);
        std::this_thread::sleep_for(100ms);
    }
    const auto metrics = timedGet(s.port(), "/metrics");
    BOOST_TEST(metrics.status == 200);
    BOOST_TEST(metrics.seconds < 1.0);
    const auto health = timedGet(s.port(), "/healthz");
    BOOST_TEST(health.status == 200);
    BOOST_TEST(health.body == "ok\n");

    const double worst = *std::max_element(latencies.begin(), latencies.end());
    BOOST_TEST_MESSAGE("/api/status beside 1000 half-open connections and 20 slow downloads: "
                       << latencies.size() << " probes, median "
                       << percentile(latencies, 0.5) * 1000 << " ms, p99 "
                       << percentile(latencies, 0.99) * 1000 << " ms, worst " << worst * 1000
                       << " ms");
    BOOST_TEST(worst < 1.0);
    // All of them were still there while the probe was timed.
    BOOST_TEST(halfOpen.closedByServer() == 0u);

    for (std::size_t i = 0; i < kFiles; ++i) {
        const auto& answer = downloads[i]->answer();
        BOOST_TEST(answer.status == 200);
        BOOST_TEST(answer.whole);
        BOOST_TEST((answer.body == contents[i]), "download " << i << " differs from its file");
        BOOST_TEST((fileContent(s.out / ("talk " + std::to_string(i) + ".ts")) == contents[i]));
    }
    BOOST_TEST_MESSAGE(
        "20 slow downloads of 2 MiB took "
        << std::chrono::duration<double>(std::chrono::steady_clock::now() - loadStart).count()
        << " s in all");
}

BOOST_AUTO_TEST_CASE(halfARequestIsDroppedAfterTheHeadTimeout) {
    StatusServer::Options options;
    options.headTimeout = 1s;
    Server s(options);
    HalfOpenConnections halfOpen(s.port(), 10, 10);
    BOOST_TEST_REQUIRE(halfOpen.opened() == 10u);
    std::this_thread::sleep_for(300ms);
    BOOST_TEST(halfOpen.closedByServer() == 0u);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (halfOpen.closedByServer() < 10u && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    BOOST_TEST(halfOpen.closedByServer() == 10u);
    // A connection that sends a head a byte at a time, slower than the timeout allows, is
    // dropped too, however busy it keeps the line.
    const int fd = connectFrom("127.0.0.1", s.port());
    BOOST_TEST_REQUIRE(fd >= 0);
    const std::string head = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    bool dropped = false;
    for (std::size_t i = 0; i < head.size() && !dropped; ++i) {
        dropped = !sendAll(fd, head.substr(i, 1)) || closedByPeer(fd);
        std::this_thread::sleep_for(100ms);
    }
    BOOST_TEST(dropped);
    ::close(fd);
}

BOOST_AUTO_TEST_CASE(connectionsFromOneAddressAreCapped) {
    StatusServer::Options options;
    options.maxPerAddress = 8;
    Server s(options);
    HalfOpenConnections crowd(s.port(), 12, 12, 20);
    BOOST_TEST_REQUIRE(crowd.opened() == 12u);
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (crowd.closedByServer() < 4u && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    BOOST_TEST(crowd.closedByServer() == 4u);
    // Another address is not held back by that one.
    const auto probe = timedGet(s.port(), "/api/status");
    BOOST_TEST(probe.status == 200);
}

BOOST_AUTO_TEST_CASE(aProbeFromAnAddressAtItsCapReplacesItsOldestHalfOpenConnection) {
    // A kubelet's probes come from the node's address, which other traffic may share: that
    // address at its cap must not fail the probe.
    StatusServer::Options options;
    options.maxPerAddress = 8;
    options.headTimeout = 60s;
    Server s(options);
    HalfOpenConnections crowd(s.port(), 8, 8, 0);  // from 127.0.0.1, as the probe
    BOOST_TEST_REQUIRE(crowd.opened() == 8u);
    std::this_thread::sleep_for(200ms);
    BOOST_TEST(crowd.closedByServer() == 0u);
    for (int i = 0; i < 3; ++i) {
        const auto probe = timedGet(s.port(), "/healthz");
        BOOST_TEST(probe.status == 200);
        BOOST_TEST(probe.body == "ok\n");
    }
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (crowd.closedByServer() < 3u && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    BOOST_TEST(crowd.closedByServer() >= 1u);
    BOOST_TEST(crowd.closedByServer() <= 3u);
}

BOOST_AUTO_TEST_CASE(whenFullANewConnectionReplacesTheOldestThatSentNoRequest) {
    StatusServer::Options options;
    options.maxConnections = 50;
    options.headTimeout = 60s;
    Server s(options);
    HalfOpenConnections first(s.port(), 50, 5, 30);
    BOOST_TEST_REQUIRE(first.opened() == 50u);
    std::this_thread::sleep_for(200ms);
    HalfOpenConnections more(s.port(), 30, 5, 31);
    for (int i = 0; i < 5; ++i) {
        const auto probe = timedGet(s.port(), "/api/status");
        BOOST_TEST(probe.status == 200);
        BOOST_TEST(probe.seconds < 1.0);
    }
    // The oldest ones made room.
    BOOST_TEST(first.closedByServer() >= 30u);
}

BOOST_AUTO_TEST_CASE(whenFullANewConnectionMayReplaceAnIdleOneFromTheSameAddress) {
    // The idle connection it replaces is the last one counted for its address: replacing it
    // must leave the count of that address right (run under the address sanitizer, a count
    // kept through the replacement is a write to freed memory).
    StatusServer::Options options;
    options.maxConnections = 2;
    options.headTimeout = 60s;
    options.idleTimeout = 60s;
    Server s(options);
    const std::string get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const int kept = connectFrom("127.0.0.1", s.port());
    BOOST_TEST_REQUIRE(kept >= 0);
    BOOST_TEST_REQUIRE(sendAll(kept, get));
    BOOST_TEST(readAnswer(kept, std::chrono::steady_clock::now() + 5s).status == 200);
    HalfOpenConnections other(s.port(), 1, 1, 2);
    BOOST_TEST_REQUIRE(other.opened() == 1u);
    std::this_thread::sleep_for(200ms);
    for (int i = 0; i < 3; ++i) {
        const int again = connectFrom("127.0.0.1", s.port());
        BOOST_TEST_REQUIRE(again >= 0);
        BOOST_TEST_REQUIRE(sendAll(again, get));
        const auto answer = readAnswer(again, std::chrono::steady_clock::now() + 5s);
        BOOST_TEST(answer.status == 200);
        BOOST_TEST(answer.body == "ok\n");
        ::close(again);
        std::this_thread::sleep_for(100ms);
    }
    BOOST_TEST(closedByPeer(kept));
    ::close(kept);
}

BOOST_AUTO_TEST_CASE(downloadsPastTheirCapAreAskedToComeBackButProbesAreNot) {
    StatusServer::Options options;
    options.maxFileAnswers = 4;
    Server s(options);
    const auto recording = recordingBytes(8 * 1024 * 1024, 7);
    std::ofstream(s.out / "talk.ts", std::ios::binary) << recording;
    const std::string get = "GET /recordings/talk.ts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    // Four clients that read nothing hold their downloads open.
    std::vector<int> held;
    for (int i = 0; i < 4; ++i) {
        const int fd = connectFrom("127.0.4." + std::to_string(i + 1), s.port(), 8 * 1024);
        BOOST_TEST_REQUIRE(fd >= 0);
        BOOST_TEST_REQUIRE(sendAll(fd, get));
        held.push_back(fd);
    }
    std::this_thread::sleep_for(300ms);
    const int fifth = connectFrom("127.0.4.5", s.port());
    BOOST_TEST_REQUIRE(fifth >= 0);
    BOOST_TEST_REQUIRE(sendAll(fifth, get));
    const auto refused = readAnswer(fifth, std::chrono::steady_clock::now() + 5s);
    ::close(fifth);
    BOOST_TEST(refused.status == 503);
    BOOST_TEST(refused.head.find("Retry-After: 5") != std::string::npos);
    for (const auto* path : {"/healthz", "/api/status", "/metrics"}) {
        BOOST_TEST(timedGet(s.port(), path).status == 200, path);
    }
    // A download that ends makes room for the next.
    ::close(held.back());
    held.pop_back();
    std::this_thread::sleep_for(300ms);
    const int next = connectFrom("127.0.4.6", s.port());
    BOOST_TEST_REQUIRE(next >= 0);
    BOOST_TEST_REQUIRE(sendAll(next, get));
    const auto answer = readAnswer(next, std::chrono::steady_clock::now() + 30s);
    ::close(next);
    BOOST_TEST(answer.status == 200);
    BOOST_TEST((answer.body == recording));
    for (const int fd : held) {
        ::close(fd);
    }
}

BOOST_AUTO_TEST_CASE(theOpenFileLimitIsRaisedOnlyAsFarAsTheConnectionsNeed) {
    // A child process closes every descriptor up to the limit: a million would slow each start.
    rlimit before{};
    BOOST_TEST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &before) == 0);
    BOOST_TEST_REQUIRE(before.rlim_max >= 2000u, "the test needs a hard limit of 2000 files");
    const auto softLimit = [] {
        rlimit now{};
        ::getrlimit(RLIMIT_NOFILE, &now);
        return now.rlim_cur;
    };
    const auto setSoft = [&](rlim_t soft) {
        rlimit changed = before;
        changed.rlim_cur = soft;
        return ::setrlimit(RLIMIT_NOFILE, &changed) == 0;
    };
    BOOST_TEST_REQUIRE(setSoft(1024));
    {
        StatusServer::Options options;
        options.maxConnections = 100;
        Server s(options);
        BOOST_TEST(softLimit() == 2 * 100 + 1024u);
    }
    {
        // Never lowered.
        BOOST_TEST_REQUIRE(setSoft(1900));
        StatusServer::Options options;
        options.maxConnections = 100;
        Server s(options);
        BOOST_TEST(softLimit() == 1900u);
    }
    {
        // Left to choose: 4096 connections when the hard limit allows them, else what it allows.
        BOOST_TEST_REQUIRE(setSoft(1024));
        Server s(StatusServer::Options{});
        const auto expected = std::min<rlim_t>(before.rlim_max, 2 * 4096 + 1024);
        BOOST_TEST(softLimit() == expected);
        BOOST_TEST(s.server->maxConnections() ==
                   std::min<std::size_t>(4096, static_cast<std::size_t>((expected - 1024) / 2)));
    }
    ::setrlimit(RLIMIT_NOFILE, &before);
}

BOOST_AUTO_TEST_CASE(keptAliveConnectionsAnswerPipelinedRequestsAndCloseWhenIdle) {
    StatusServer::Options options;
    options.idleTimeout = 1s;
    Server s(options);
    const int fd = connectFrom("127.0.0.1", s.port());
    BOOST_TEST_REQUIRE(fd >= 0);
    BOOST_TEST_REQUIRE(sendAll(fd,
                               "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                               "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    // Both answers are sent before the client reads either.
    std::this_thread::sleep_for(500ms);
    AnswerReader answers(fd);
    const auto first = answers.next(std::chrono::steady_clock::now() + 5s);
    BOOST_TEST(first.status == 200);
    BOOST_TEST(first.body == "ok\n");
    const auto second = answers.next(std::chrono::steady_clock::now() + 5s);
    BOOST_TEST(second.status == 200);
    BOOST_TEST(second.head.find("application/json") != std::string::npos);
    BOOST_TEST(!closedByPeer(fd));
    const auto deadline = std::chrono::steady_clock::now() + 4s;
    while (!closedByPeer(fd) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    BOOST_TEST(closedByPeer(fd));
    ::close(fd);
}

BOOST_AUTO_TEST_CASE(aMalformedOrOversizedHeadIsRefusedAndClosed) {
    Server s(StatusServer::Options{});
    const auto send = [&](const std::string& bytes) {
        const int fd = connectFrom("127.0.0.1", s.port());
        sendAll(fd, bytes);
        auto answer = readAnswer(fd, std::chrono::steady_clock::now() + 5s);
        ::close(fd);
        return answer;
    };
    BOOST_TEST(send("GET /api/status HTTP/2.0\r\n\r\n").status == 505);
    BOOST_TEST(send("GET /api/status HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status == 400);
    BOOST_TEST(
        send("GET /api/status HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n").status ==
        431);
    const auto post = send("POST /api/status HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    BOOST_TEST(post.status == 405);
    BOOST_TEST(post.head.find("Connection: Close") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
