// --status-auth: reading htpasswd and token files, checking credentials, and the status server
// asking for them on every path but /healthz, with a delay for wrong ones.
#include "confcap/status/StatusAuth.h"

#include <Poco/Base64Encoder.h>

#include <boost/test/unit_test.hpp>

#include <crypt.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "confcap/core/Error.h"
#include "confcap/status/StatusServer.h"
#include "support/FakeClock.h"
#include "support/HttpFetch.h"
#include "support/LoadClients.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(StatusAuthTest)

using confcap::testing::TempDir;

using namespace confcap::status;
using namespace std::chrono_literals;
using Verdict = StatusAuth::Verdict;
namespace fs = std::filesystem;

namespace {

/// A hash of `password` as htpasswd -B ("$2y$") or mkpasswd -m sha-512 ("$6$") writes it,
/// made with libcrypt at a low cost.
std::string hashOf(const std::string& password, const char* prefix, unsigned long cost = 0) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (cost == 0) {
        cost = std::string(prefix) == "$6$" ? 5000 : 5;
    }
    BOOST_REQUIRE(::crypt_gensalt_rn(prefix, cost, nullptr, 0, salt, sizeof salt) != nullptr);
    crypt_data data{};
    const char* hash = ::crypt_rn(password.c_str(), salt, &data, sizeof data);
    BOOST_REQUIRE(hash != nullptr);
    return hash;
}

std::string basic(const std::string& user, const std::string& password) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder << user << ':' << password;
    encoder.close();
    return "Basic " + out.str();
}

fs::path writeFile(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

/// A status server's parts in a folder of its own: its output in out/, its credentials
/// `authText` in the file `authName` there. Set `options` further, then start().
struct Guarded {
    TempDir folder;
    StatusBoard board;
    confcap::testing::FakeClock clock{
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
    StatusServer::Options options;
    std::unique_ptr<StatusServer> server;

    Guarded(const std::string& authName, const std::string& authText) {
        fs::create_directories(folder.path / "out");
        options.outputDir = folder.path / "out";
        options.authFile = writeFile(folder.path / authName, authText);
    }
    /// Starts the server with `options`; the port it listens on.
    std::uint16_t start() {
        server = std::make_unique<StatusServer>(board, clock, options);
        return server->port();
    }
};

std::string errorFor(const fs::path& file) {
    try {
        StatusAuth::fromFile(file);
    } catch (const confcap::core::ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(anHtpasswdFileGrantsItsUsersWithTheirPasswords) {
    TempDir folder;
    const auto file = writeFile(folder.path / "status-auth",
                                "# who may look\n"
                                "anna:" +
                                    hashOf("correct horse", "$2y$") + "\n\n" +
                                    "ben:" + hashOf("battery staple", "$6$") + "\n" +
                                    "carl:" + hashOf("b", "$2b$") + "\n");
    const auto auth = StatusAuth::fromFile(file);
    BOOST_TEST(!auth.usesToken());
    BOOST_TEST((auth.check(basic("anna", "correct horse")) == Verdict::Granted));
    BOOST_TEST((auth.check(basic("ben", "battery staple")) == Verdict::Granted));
    BOOST_TEST((auth.check(basic("carl", "b")) == Verdict::Granted));
    BOOST_TEST((auth.check(basic("anna", "battery staple")) == Verdict::Denied));
    BOOST_TEST((auth.check(basic("anna", "")) == Verdict::Denied));
    BOOST_TEST((auth.check(basic("dora", "correct horse")) == Verdict::Denied));
    // A password is all of it: what follows a NUL counts too.
    BOOST_TEST(
        (auth.check(basic("anna", std::string("correct horse\0junk", 18))) == Verdict::Denied));
    BOOST_TEST((auth.check(basic(std::string("anna\0", 5), "correct horse")) == Verdict::Denied));
    BOOST_TEST((auth.check("Basic !!!") == Verdict::Denied));
    BOOST_TEST((auth.check("") == Verdict::Missing));
    BOOST_TEST((auth.check("Bearer correct horse") == Verdict::Missing));
    BOOST_TEST(
        (auth.check("basic " + basic("anna", "correct horse").substr(6)) == Verdict::Granted));
}

BOOST_AUTO_TEST_CASE(aTokenFileTakesTheTokenAsBearerOrAsAPassword) {
    TempDir folder;
    const std::string token = "3f1c9a0d5e7b42a8b6c4d2e0f8a1b3c5";
    const auto auth = StatusAuth::fromFile(writeFile(folder.path / "token", token + "\n"));
    BOOST_TEST(auth.usesToken());
    BOOST_TEST((auth.check("Bearer " + token) == Verdict::Granted));
    BOOST_TEST((auth.check(basic("anyone", token)) == Verdict::Granted));
    BOOST_TEST((auth.check("Bearer " + token.substr(1)) == Verdict::Denied));
    BOOST_TEST((auth.check("Bearer " + token + "0") == Verdict::Denied));
    BOOST_TEST((auth.check(basic("anyone", "guess")) == Verdict::Denied));
    BOOST_TEST((auth.check("") == Verdict::Missing));
}

BOOST_AUTO_TEST_CASE(aFileItCannotUseIsRefusedWithItsLine) {
    TempDir folder;
    BOOST_TEST(errorFor(folder.path / "missing") ==
               "The --status-auth file " + (folder.path / "missing").string() + " cannot be read.");
    BOOST_TEST(errorFor(writeFile(folder.path / "empty", "# nobody\n\n")).find("names nobody") !=
               std::string::npos);
    BOOST_TEST(errorFor(writeFile(folder.path / "short", "secret\n")).find("at least 16") !=
               std::string::npos);
    const auto md5 = errorFor(
        writeFile(folder.path / "apr1",
                  "anna:" + hashOf("x", "$2y$") + "\nben:$apr1$abcdefgh$0123456789abcdefghijkl\n"));
    BOOST_TEST(md5.find("line 2") != std::string::npos);
    BOOST_TEST(md5.find("htpasswd -B") != std::string::npos);
    const auto plain = errorFor(writeFile(folder.path / "plain", "anna:secret\nben:secret\n"));
    BOOST_TEST(plain.find("line 1") != std::string::npos);
    const auto twice =
        errorFor(writeFile(folder.path / "twice",
                           "anna:" + hashOf("x", "$6$") + "\nanna:" + hashOf("y", "$6$") + "\n"));
    BOOST_TEST(twice.find("line 2") != std::string::npos);
    BOOST_TEST(errorFor(writeFile(folder.path / "broken", "anna:$2y$05$tooshort\n"))
                   .find("malformed bcrypt") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(aCostlyHashIsReadWithoutHashing) {
    TempDir folder;
    // The most rounds sha512-crypt takes: hashing with it would take minutes.
    const auto costly = "$6$rounds=999999999$abcdefgh$" + std::string(86, 'a');
    const auto file = writeFile(folder.path / "htpasswd",
                                "anna:" + hashOf("x", "$2y$") + "\nben:" + costly + "\n");
    const auto start = std::chrono::steady_clock::now();
    const auto auth = StatusAuth::fromFile(file);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 1s));
    BOOST_TEST((auth.check(basic("anna", "x")) == Verdict::Granted));
    // A checksum cut short, or one with a letter no hash has, is malformed.
    BOOST_TEST(errorFor(writeFile(folder.path / "cut", "ben:" + costly.substr(0, 100) + "\n"))
                   .find("malformed") != std::string::npos);
    BOOST_TEST(errorFor(writeFile(folder.path / "letter",
                                  "anna:" + hashOf("x", "$2y$").substr(0, 59) + "!\n"))
                   .find("malformed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(theServerAsksForCredentialsOnEveryPathButHealthz) {
    Guarded guarded("status-auth", "anna:" + hashOf("correct horse", "$2y$") + "\n");
    const auto out = guarded.folder.path / "out";
    fs::create_directories(out / "day");
    writeFile(out / "day" / "talk.ts", "recording");
    guarded.options.authDelay = 700ms;
    const auto port = guarded.start();
    using confcap::testing::fetch;

    const auto health = fetch(port, "/healthz");
    BOOST_TEST(health.status == 200);
    BOOST_TEST(health.body == "ok\n");
    for (const auto* path : {"/", "/api/status", "/metrics", "/recordings/day/talk.ts",
                             "/recordings/day/", "/summary.json", "/nothing"}) {
        const auto asked = fetch(port, path);
        BOOST_TEST(asked.status == 401, path);
        BOOST_TEST(asked.header("WWW-Authenticate").starts_with("Basic realm=\"confcap\""));
        BOOST_TEST(asked.body.find("recording") == std::string::npos);
    }
    const auto granted =
        fetch(port, "/recordings/day/talk.ts", {{"Authorization", basic("anna", "correct horse")}});
    BOOST_TEST(granted.status == 200);
    BOOST_TEST(granted.body == "recording");
    BOOST_TEST(
        fetch(port, "/api/status", {{"Authorization", basic("anna", "correct horse")}}).status ==
        200);

    // A wrong password and an unknown user get the same answer, after the delay.
    std::string bodies[2];
    int i = 0;
    for (const auto& [user, password] : {std::pair{"anna", "wrong"}, std::pair{"bob", "x"}}) {
        const auto start = std::chrono::steady_clock::now();
        const auto denied = fetch(port, "/api/status", {{"Authorization", basic(user, password)}});
        const auto took = std::chrono::steady_clock::now() - start;
        BOOST_TEST(denied.status == 401);
        BOOST_TEST(took >= 650ms);
        bodies[i++] = denied.body;
    }
    BOOST_TEST(bodies[0] == bodies[1]);
    // While a wrong password waits, the probe does not.
    std::thread wrong([&] {
        fetch(port, "/api/status", {{"Authorization", basic("anna", "wrong")}});
    });
    std::this_thread::sleep_for(50ms);
    const auto probe = confcap::testing::timedGet(port, "/healthz");
    wrong.join();
    BOOST_TEST(probe.status == 200);
    BOOST_TEST(probe.seconds < 0.5);
}

BOOST_AUTO_TEST_CASE(aFloodOfWrongPasswordsNeverRefusesCredentialsAlreadyChecked) {
    // A cost at which each check takes a good part of a second: the guesses pile up.
    Guarded guarded("status-auth", "anna:" + hashOf("correct horse", "$2y$", 12) + "\n");
    guarded.options.headTimeout = 60s;
    const auto port = guarded.start();
    using namespace confcap::testing;
    const auto good = "Authorization: " + basic("anna", "correct horse") + "\r\n";
    BOOST_TEST_REQUIRE(timedGet(port, "/api/status", 10000ms, good).status == 200);

    // 400 guesses from 40 addresses, none of them read.
    std::vector<int> guesses;
    const auto guess =
        "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basic("anna", "guess") +
        "\r\n\r\n";
    for (int i = 0; i < 400; ++i) {
        const int fd = connectFrom("127.0.3." + std::to_string(1 + i / 10), port);
        if (fd >= 0) {
            sendAll(fd, guess);
            guesses.push_back(fd);
        }
    }
    BOOST_TEST_REQUIRE(guesses.size() == 400u);
    std::this_thread::sleep_for(100ms);
    for (int i = 0; i < 5; ++i) {
        const auto probe = timedGet(port, "/api/status", 5000ms, good);
        BOOST_TEST(probe.status == 200);
        BOOST_TEST(probe.seconds < 1.0);
    }
    // Most guesses were turned away at once instead of waiting for a check.
    std::size_t busy = 0;
    for (const int fd : guesses) {
        const auto answer = readAnswer(fd, std::chrono::steady_clock::now() + 100ms);
        busy += answer.status == 503 ? 1u : 0u;
        ::close(fd);
    }
    BOOST_TEST(busy >= 300u);
}

BOOST_AUTO_TEST_CASE(aChangedFileTakesEffectOnReload) {
    Guarded guarded("token", "first-token-0123456789\n");
    const auto port = guarded.start();
    const auto& folder = guarded.folder;
    auto& server = *guarded.server;
    using confcap::testing::fetch;
    BOOST_TEST(
        fetch(port, "/api/status", {{"Authorization", "Bearer first-token-0123456789"}}).status ==
        200);
    writeFile(folder.path / "token", "second-token-0123456789\n");
    server.reload();
    BOOST_TEST(
        fetch(port, "/api/status", {{"Authorization", "Bearer first-token-0123456789"}}).status ==
        401);
    BOOST_TEST(
        fetch(port, "/api/status", {{"Authorization", "Bearer second-token-0123456789"}}).status ==
        200);
    // A file that became unusable is refused, and the one in force stays.
    writeFile(folder.path / "token", "short\n");
    BOOST_CHECK_THROW(server.reload(), confcap::core::ConfigError);
    BOOST_TEST(
        fetch(port, "/api/status", {{"Authorization", "Bearer second-token-0123456789"}}).status ==
        200);
}

BOOST_AUTO_TEST_CASE(aCheckUnderWayWhenTheFileIsReloadedGrantsNothingAfterIt) {
    // A cost at which a check takes a good part of a second: the reload comes during it.
    Guarded guarded("status-auth", "anna:" + hashOf("old", "$2y$", 13) + "\n");
    const auto port = guarded.start();
    const auto& folder = guarded.folder;
    auto& server = *guarded.server;
    using confcap::testing::timedGet;
    const auto old = "Authorization: " + basic("anna", "old") + "\r\n";
    std::thread during([&] { timedGet(port, "/api/status", 30000ms, old); });
    std::this_thread::sleep_for(100ms);
    writeFile(folder.path / "status-auth", "anna:" + hashOf("new", "$2y$") + "\n");
    server.reload();
    during.join();
    BOOST_TEST(timedGet(port, "/api/status", 30000ms, old).status == 401);
    BOOST_TEST(
        timedGet(port, "/api/status", 30000ms, "Authorization: " + basic("anna", "new") + "\r\n")
            .status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
