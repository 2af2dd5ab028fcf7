// The program without its TLS module (confcap-tls.so, loaded the first time TLS is used), as a
// user who copied the program alone meets it: plain HTTP works, and whatever needs TLS fails
// with one sentence that says what is missing, exit 69.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "confcap/demo/LoopbackServer.h"
#include "support/RunProcess.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(TlsModuleCommandTest)

using confcap::testing::TempDir;

namespace {

const std::string kExample = CONFCAP_SOURCE_DIR "/schedules/example-conference.xml";
const std::string kTls = CONFCAP_SOURCE_DIR "/tests/data/tls/";

Poco::JSON::Object::Ptr parseJson(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::size_t lineCount(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The program, copied alone into `dir`.
std::filesystem::path lonelyProgram(const TempDir& dir) {
    const auto program = dir.path / "confcap";
    std::filesystem::copy_file(CONFCAP_BINARY, program);
    return program;
}

}  // namespace

BOOST_AUTO_TEST_CASE(aProgramWithoutItsTlsModuleFetchesPlainHttpAndSaysWhatHttpsLacks) {
    TempDir dir;
    const auto program = lonelyProgram(dir);
    std::ifstream in(kExample);
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto serve = [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
        response.send() << body;
    };
    confcap::demo::LoopbackServer plain(serve);
    confcap::demo::LoopbackServer secure(serve, {kTls + "localhost.crt", kTls + "localhost.key"});
    const auto list = [&](const std::string& url) {
        return confcap::testing::runProcess(
            program.string(),
            {"list", "--schedule", url, "--cache-dir", (dir.path / "cache").string(), "--json",
             "--ca-file", kTls + "localhost.crt"});
    };

    auto r = list(plain.url("/schedule.xml"));
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(parseJson(r.out)->getArray("talks")->size() == 9U);

    const auto url = secure.url("/schedule.xml");
    r = list(url);
    BOOST_TEST(r.exitCode == 69, r.err);
    BOOST_TEST(lineCount(r.err) == 1U, r.err);
    BOOST_TEST(r.err.find("confcap-tls.so, which is not installed") != std::string::npos, r.err);
    BOOST_TEST(r.err.find((dir.path / "confcap-tls.so").string()) != std::string::npos, r.err);

    // A file of that name that is no module of this build (an upgrade that replaced it under a
    // running program) is refused, not called.
    const auto module = dir.path / "confcap-tls.so";
    std::filesystem::copy_file("/lib/x86_64-linux-gnu/libz.so.1", module);
    r = list(url);
    BOOST_TEST(r.exitCode == 69, r.err);
    BOOST_TEST(lineCount(r.err) == 1U, r.err);
    BOOST_TEST(r.err.find("belongs to another build of confcap") != std::string::npos, r.err);

    std::filesystem::copy_file(
        std::filesystem::path(CONFCAP_BINARY).parent_path() / "confcap-tls.so", module,
        std::filesystem::copy_options::overwrite_existing);
    r = list(url);
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(parseJson(r.out)->getArray("talks")->size() == 9U);
}

BOOST_AUTO_TEST_CASE(aStatusPageOverTlsSaysWhatItLacks) {
    TempDir dir;
    const auto program = lonelyProgram(dir);
    const auto r = confcap::testing::runProcess(
        program.string(),
        {"record", "--schedule", kExample, "--stream", "Saal 1=http://127.0.0.1:1/s1.m3u8", "--out",
         (dir.path / "out").string(), "--status-port", "0", "--status-tls-cert",
         kTls + "localhost.crt", "--status-tls-key", kTls + "localhost.key"});
    BOOST_TEST(r.exitCode == 69, r.err);
    BOOST_TEST(lineCount(r.err) == 1U, r.err);
    BOOST_TEST(r.err.find("cannot be served over TLS (--status-tls-cert)") != std::string::npos,
               r.err);
    BOOST_TEST(r.err.find("confcap-tls.so, which is not installed") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
