// --status-tls-cert and --status-tls-key: the status server over HTTPS with a self-signed
// certificate made by openssl for the test, fetched with Poco's HTTPSClientSession that trusts
// exactly that certificate; a new certificate after reload; half-open TLS connections.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "confcap/core/Error.h"
#include "confcap/status/StatusServer.h"
#include "support/FakeClock.h"
#include "support/LoadClients.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(StatusServerTlsTest)

using confcap::testing::TempDir;

using namespace confcap::status;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// A self-signed certificate for 127.0.0.1 named `name`, and its key, in `folder`.
void makeCertificate(const fs::path& folder, const std::string& name) {
    const auto command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name +
                         " -addext subjectAltName=IP:127.0.0.1 -keyout '" +
                         (folder / (name + ".key")).string() + "' -out '" +
                         (folder / (name + ".pem")).string() + "' 2>/dev/null";
    BOOST_REQUIRE_EQUAL(std::system(command.c_str()), 0);
}

struct Fetched {
    int status = 0;
    std::string body;
    std::string commonName;
};

/// GET over HTTPS, trusting only `trusted`.
Fetched fetchTls(std::uint16_t port, const std::string& path, const fs::path& trusted) {
    Poco::Net::Context::Params params;
    params.caLocation = trusted.string();
    params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
    params.loadDefaultCAs = false;
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    Poco::Net::HTTPSClientSession session("127.0.0.1", port, context);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    Fetched out;
    out.status = static_cast<int>(response.getStatus());
    Poco::StreamCopier::copyToString(in, out.body);
    out.commonName = session.serverCertificate().commonName();
    return out;
}

struct Fixture {
    TempDir folder;
    StatusBoard board;
    confcap::testing::FakeClock clock{
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
    Fixture() {
        Poco::Net::initializeSSL();
        fs::create_directories(folder.path / "out");
        makeCertificate(folder.path, "first");
    }
    ~Fixture() { Poco::Net::uninitializeSSL(); }
    StatusServer::Options options() const {
        StatusServer::Options o;
        o.outputDir = folder.path / "out";
        o.tlsCertificate = folder.path / "live.pem";
        o.tlsKey = folder.path / "live.key";
        return o;
    }
    void use(const std::string& name) const {
        fs::copy_file(folder.path / (name + ".pem"), folder.path / "live.pem",
                      fs::copy_options::overwrite_existing);
        fs::copy_file(folder.path / (name + ".key"), folder.path / "live.key",
                      fs::copy_options::overwrite_existing);
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(servesHttpsAndTakesANewCertificateOnReload, Fixture) {
    use("first");
    StatusServer server(board, clock, options());
    BOOST_TEST(server.url("/").starts_with("https://127.0.0.1:"));
    const auto status = fetchTls(server.port(), "/api/status", folder.path / "first.pem");
    BOOST_TEST(status.status == 200);
    BOOST_TEST(status.body.find("\"jobs\"") != std::string::npos);
    BOOST_TEST(status.commonName == "first");
    BOOST_TEST(fetchTls(server.port(), "/healthz", folder.path / "first.pem").body == "ok\n");

    // Plain HTTP to the TLS port gets no HTTP answer.
    BOOST_TEST(confcap::testing::timedGet(server.port(), "/healthz", 3000ms).status == 0);

    makeCertificate(folder.path, "second");
    use("second");
    server.reload();
    const auto renewed = fetchTls(server.port(), "/api/status", folder.path / "second.pem");
    BOOST_TEST(renewed.status == 200);
    BOOST_TEST(renewed.commonName == "second");
    // A client that trusts only the old certificate no longer connects.
    BOOST_CHECK_THROW(fetchTls(server.port(), "/api/status", folder.path / "first.pem"),
                      Poco::Exception);
}

BOOST_FIXTURE_TEST_CASE(halfOpenTlsConnectionsHoldNothingUp, Fixture) {
    use("first");
    auto o = options();
    o.headTimeout = 30s;
    StatusServer server(board, clock, o);
    // 200 connections that never send a ClientHello, and 200 that send half a request as plain
    // text where a handshake belongs.
    std::vector<int> silent;
    for (int i = 0; i < 200; ++i) {
        silent.push_back(
            confcap::testing::connectFrom("127.0.3." + std::to_string(1 + i / 20), server.port()));
    }
    confcap::testing::HalfOpenConnections garbled(server.port(), 200, 20, 4);
    for (int i = 0; i < 5; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const auto probe = fetchTls(server.port(), "/api/status", folder.path / "first.pem");
        const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
        BOOST_TEST(probe.status == 200);
        BOOST_TEST(took.count() < 1.0);
    }
    for (const int fd : silent) {
        ::close(fd);
    }
}

BOOST_FIXTURE_TEST_CASE(filesItCannotUseAreRefusedNamingThem, Fixture) {
    makeCertificate(folder.path, "other");
    // A key that is not the certificate's.
    fs::copy_file(folder.path / "first.pem", folder.path / "live.pem");
    fs::copy_file(folder.path / "other.key", folder.path / "live.key");
    try {
        StatusServer server(board, clock, options());
        BOOST_FAIL("a key of another certificate was taken");
    } catch (const confcap::core::ConfigError& e) {
        BOOST_TEST(std::string(e.what()).find("do not belong together") != std::string::npos);
    }
    auto missing = options();
    missing.tlsCertificate = folder.path / "absent.pem";
    try {
        StatusServer server(board, clock, missing);
        BOOST_FAIL("a missing certificate was taken");
    } catch (const confcap::core::ConfigError& e) {
        BOOST_TEST(std::string(e.what()).find("absent.pem") != std::string::npos);
    }
    auto half = options();
    half.tlsKey.clear();
    BOOST_CHECK_THROW(StatusServer(board, clock, half), confcap::core::UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
