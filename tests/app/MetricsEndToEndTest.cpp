// /metrics of a live `confcap record` run over the fake conference, read while a talk records by
// the Prometheus client's own text parser (tests/app/check_metrics.py).
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(MetricsEndToEndTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::FakeRoom;
using confcap::demo::FakeTalk;
using confcap::demo::StreamKind;
using confcap::testing::ChildProcess;
using confcap::testing::RunFolders;

namespace {

const char* const kPython = "/usr/bin/python3";
const std::string kChecker = std::string(CONFCAP_SOURCE_DIR) + "/tests/app/check_metrics.py";
const std::string kTitle = "Über \"Metrics\" \\ Grüße";

boost::test_tools::assertion_result prometheusClientPresent(boost::unit_test::test_unit_id) {
    const bool present =
        fs::exists(kPython) &&
        confcap::testing::runProcess(kPython, {"-c", "import prometheus_client.parser"}).exitCode ==
            0;
    boost::test_tools::assertion_result result(present);
    result.message() << "the Python Prometheus client is not installed "
                        "(apt-get install python3-prometheus-client)";
    return result;
}

struct Fetched {
    int status = 0;
    std::string contentType;
    std::string body;
};

Fetched fetch(std::uint16_t port, const std::string& path) {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    Fetched fetched;
    fetched.status = static_cast<int>(response.getStatus());
    fetched.contentType = response.getContentType();
    Poco::StreamCopier::copyToString(in, fetched.body);
    return fetched;
}

/// The status server's port, read from the log line that announces it.
std::uint16_t statusPort(const ChildProcess& confcap) {
    const std::string marker = "status page at http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (confcap.running() && std::chrono::steady_clock::now() < deadline) {
        const auto err = confcap.err();
        if (const auto at = err.find(marker); at != std::string::npos) {
            return static_cast<std::uint16_t>(std::stoi(err.substr(at + marker.size())));
        }
        std::this_thread::sleep_for(50ms);
    }
    return 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(metricsParseWhileATalkRecords,
                     *boost::unit_test::precondition(prometheusClientPresent)) {
    RunFolders folders;
    const auto start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    // One progressive MPEG-TS room; the talk begins 4 s in (its window 2 s before) for 10 s.
    FakeConference conference(
        confcap::testing::testClip(), {FakeRoom{"Saal \"1\"", {"saal1", StreamKind::Ts}}},
        {FakeTalk{"00000000-0000-4000-8000-000000000001", "Saal \"1\"", kTitle, 4s, 10s}}, start);
    std::vector<std::string> args = {"record", "--schedule", conference.scheduleUrl()};
    for (const auto& stream : conference.streamOptions()) {
        args.push_back("--stream");
        args.push_back(stream);
    }
    for (const auto& option : std::vector<std::string>{
             "--out", "out", "--pad-before", "2s", "--pad-after", "2s", "--min-size", "1K",
             "--min-duration", "1s", "--refresh", "2s", "--exit-when-done", "--status-port", "0"}) {
        args.push_back(option);
    }
    ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
    const auto port = statusPort(confcap);
    BOOST_REQUIRE_MESSAGE(port != 0, "no status page announced: " << confcap.err());

    const auto saved = folders.root.path / "metrics.txt";
    std::string verdict;  // what the checker said last
    int checks = 0;
    bool seenRecording = false;
    while (confcap.running() && !seenRecording) {
        Fetched metrics;
        try {
            metrics = fetch(port, "/metrics");
        } catch (const std::exception&) {
            break;  // the server goes away as confcap exits
        }
        BOOST_TEST_REQUIRE(metrics.status == 200);
        BOOST_TEST_REQUIRE(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8");
        std::ofstream(saved, std::ios::binary | std::ios::trunc) << metrics.body;
        const auto checked = confcap::testing::runProcess(kPython, {kChecker, saved.string()});
        ++checks;
        verdict = checked.out + checked.err;
        BOOST_TEST_REQUIRE(checked.exitCode != 2, "the checker refused /metrics: " << verdict
                                                                                   << "\n"
                                                                                   << metrics.body);
        if (checked.exitCode == 0) {
            seenRecording = true;
            BOOST_TEST_MESSAGE("/metrics while the talk records:\n" << metrics.body);
            const auto talk =
                Poco::JSON::Parser().parse(checked.out).extract<Poco::JSON::Object::Ptr>();
            BOOST_TEST(talk->getValue<std::string>("talk") == kTitle);
            BOOST_TEST(talk->getValue<std::string>("room") == "Saal \"1\"");
            BOOST_TEST(talk->getValue<double>("bytes") > 0);
        } else {
            std::this_thread::sleep_for(300ms);
        }
    }
    BOOST_TEST(seenRecording,
               "no recording talk with bytes in " << checks << " reads; the last: " << verdict);
    const auto code = confcap.wait(60s);
    BOOST_TEST_REQUIRE(code.has_value(), "confcap did not exit");
    BOOST_TEST(*code == 0, confcap.err());
}

BOOST_AUTO_TEST_SUITE_END()
