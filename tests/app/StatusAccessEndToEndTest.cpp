// A real `confcap demo` with --status-auth: /healthz open, everything else behind the token;
// a changed token file in force after SIGHUP, an unusable one refused with a warning while the
// old one stays; and the warning at the start of a server bound to every address without it.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "support/ChildProcess.h"
#include "support/LoadClients.h"
#include "support/StatusPoll.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(StatusAccessEndToEndTest)

using confcap::testing::TempDir;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::testing::ChildProcess;
using confcap::testing::timedGet;

namespace {

int statusWith(std::uint16_t port, const std::string& token) {
    return timedGet(port, "/api/status", 5000ms, "Authorization: Bearer " + token + "\r\n").status;
}

/// Waits up to 15 s for `condition`.
template <typename Condition>
bool eventually(Condition condition) {
    // The demo makes its clips with ffmpeg first: on a loaded machine that takes a while.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(100ms);
    }
    return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(theTokenGuardsEverythingButHealthzAndIsReadAgainOnSighup) {
    TempDir folder;
    const auto tokenFile = folder.path / "status-auth";
    const std::string first = "first-token-2f6b1c9e0a";
    const std::string second = "second-token-7d3e8a41c5";
    std::ofstream(tokenFile) << first << "\n";
    ChildProcess confcap(CONFCAP_BINARY,
                         {"demo", "--status-port", "0", "--status-auth", tokenFile.string()},
                         folder.path);
    const auto port = confcap::testing::statusPortOf(confcap);
    BOOST_TEST_REQUIRE(port != 0, confcap.err());

    const auto health = timedGet(port, "/healthz");
    BOOST_TEST(health.status == 200);
    BOOST_TEST(health.body == "ok\n");
    BOOST_TEST(timedGet(port, "/api/status").status == 401);
    BOOST_TEST(timedGet(port, "/metrics").status == 401);
    BOOST_TEST(statusWith(port, first) == 200);
    BOOST_TEST(statusWith(port, second) == 401);

    std::ofstream(tokenFile, std::ios::trunc) << second << "\n";
    confcap.signal(SIGHUP);
    BOOST_TEST(eventually([&] { return statusWith(port, second) == 200; }));
    BOOST_TEST(statusWith(port, first) == 401);

    std::ofstream(tokenFile, std::ios::trunc) << "short\n";
    confcap.signal(SIGHUP);
    BOOST_TEST(eventually([&] {
        return confcap.err().find("The status server keeps what it had.") != std::string::npos;
    }));
    BOOST_TEST(statusWith(port, second) == 200);
    // The start named nothing exposed: it listens on loopback.
    BOOST_TEST(confcap.err().find("asks for no credentials") == std::string::npos);

    confcap.signal(SIGINT);
    BOOST_TEST(confcap.wait(60s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(aServerOnEveryAddressWithoutCredentialsIsWarnedAboutOnce) {
    TempDir folder;
    ChildProcess confcap(CONFCAP_BINARY, {"demo", "--status-port", "0", "--status-bind", "0.0.0.0"},
                         folder.path);
    BOOST_TEST(
        eventually([&] { return confcap.err().find("status page at") != std::string::npos; }));
    std::this_thread::sleep_for(500ms);
    const auto err = confcap.err();
    const std::string warning = "asks for no credentials (--status-auth): whoever reaches it";
    const auto at = err.find(warning);
    BOOST_TEST(at != std::string::npos, err);
    BOOST_TEST(err.find("download every recording") != std::string::npos);
    BOOST_TEST(err.find(warning, at + 1) == std::string::npos);
    confcap.signal(SIGINT);
    BOOST_TEST(confcap.wait(60s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
