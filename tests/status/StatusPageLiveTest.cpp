// The status page of a real `confcap record` run while it records, and the summary.html it
// leaves, both in a real browser (Debian's headless Chromium).
#include <Poco/URI.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>

#include "confcap/demo/FakeConference.h"
#include "support/Browser.h"
#include "support/ChildProcess.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"
#include "support/StatusPoll.h"

BOOST_AUTO_TEST_SUITE(StatusPageLiveTest)

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::Fault;
using confcap::demo::StreamKind;
using confcap::testing::browse;
using confcap::testing::BrowserRun;
using confcap::testing::ChildProcess;
using confcap::testing::chromiumPresent;
using confcap::testing::occurrences;

namespace {

/// Saal 1 streams live HLS without a fault; Saal 2 progressive MPEG-TS whose connection drops
/// 6 s into the conference and is answered 503 until 10 s: its talk has an outage gap, and goes
/// on long enough after it for a browser on a loaded machine to see it recording.
std::vector<confcap::demo::FakeRoom> rooms() {
    confcap::demo::StreamSpec hls{"saal1", StreamKind::Hls};
    hls.window = 8;
    return {{"Saal 1", hls}, {"Saal 2", {"saal2", StreamKind::Ts}}};
}

std::vector<confcap::demo::FakeTalk> talks() {
    return {
        {"00000000-0000-4000-8000-000000000001", "Saal 1", "Steady <b>HLS</b> & \"Co\"", 3s, 26s},
        {"00000000-0000-4000-8000-000000000002", "Saal 2", "Outage Talk", 3s, 26s},
        {"00000000-0000-4000-8000-000000000003", "Saal 1", "Later Talk", 38s, 6s}};
}

/// Whether /api/status lists an outage that ended among the gaps of the talk titled `title`.
bool hadOutage(std::uint16_t port, const std::string& title) {
    const auto jobs = confcap::testing::statusJobs(port);
    for (unsigned i = 0; i < jobs->size(); ++i) {
        const auto job = jobs->getObject(i);
        if (job->getValue<std::string>("title") != title) {
            continue;
        }
        const auto gaps = job->getArray("gap_spans");
        for (unsigned g = 0; g < gaps->size(); ++g) {
            const auto gap = gaps->getObject(g);
            if (gap->getValue<std::string>("cause") == "outage" && !gap->getValue<bool>("open")) {
                return true;
            }
        }
    }
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(theLivePageAndTheSummaryShowTheRunsBarsAndGaps,
                     *boost::unit_test::precondition(chromiumPresent)) {
    confcap::testing::RunFolders folders;
    const auto start =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
    FakeConference conference(confcap::testing::testClip(), rooms(), talks(), start);
    auto& streams = conference.streams();
    const double lead =
        streams.elapsed() +
        std::chrono::duration<double>(start - std::chrono::system_clock::now()).count();
    streams.addFault("saal2", Fault::drop(lead + 6));
    streams.addFault("saal2", Fault::httpStatus(lead + 6, lead + 10, 503, 1));
    std::vector<std::string> args = {"record", "--schedule", conference.scheduleUrl()};
    for (const auto& stream : conference.streamOptions()) {
        args.insert(args.end(), {"--stream", stream});
    }
    args.insert(args.end(), {"--out", "out", "--pad-before", "2s", "--pad-after", "2s",
                             "--min-size", "32K", "--min-duration", "3s", "--stall-timeout", "3s",
                             "--refresh", "0", "--status-port", "0", "--exit-when-done"});
    ChildProcess confcap(CONFCAP_BINARY, args, folders.work, folders.env());
    const auto port = confcap::testing::statusPortOf(confcap);
    BOOST_TEST_REQUIRE(port != 0, confcap.err());

    // Once the outage is over and written down, the page shows it while the talks record.
    BOOST_TEST_REQUIRE(
        confcap::testing::waitFor(
            [&] { return hadOutage(port, "Outage Talk") || !confcap.running(); }, 40s),
        confcap.err());
    BOOST_TEST_REQUIRE(confcap.running(), confcap.err());
    const auto url = "http://127.0.0.1:" + std::to_string(port) + "/";
    const auto live = browse({url}, folders.root.path);
    BOOST_TEST_REQUIRE(live.exitCode == 0, "chromium failed: " << live.err);
    const auto& dom = live.out;
    BOOST_TEST(std::regex_search(dom, std::regex("<body[^>]* data-ok=\"1\"")), dom);
    std::smatch width;
    BOOST_TEST_REQUIRE(std::regex_search(dom, width, std::regex("data-width=\"([0-9]+)\"")));
    BOOST_TEST(std::stoi(width[1]) <= 1280);  // a laptop holds the page
    BOOST_TEST(occurrences(dom, "<g class=\"room-row\"") == 2u);
    BOOST_TEST(occurrences(dom, "<g class=\"talk ") == 3u);
    BOOST_TEST(
        std::regex_search(dom, std::regex("<g class=\"talk (recording|retrying)\" "
                                          "data-key=\"00000000-0000-4000-8000-000000000002\"")),
        dom);
    BOOST_TEST(dom.find("data-cause=\"outage\"") != std::string::npos, dom);
    BOOST_TEST(dom.find("class=\"covered\"") != std::string::npos);
    BOOST_TEST(
        dom.find("<g class=\"talk waiting\" data-key=\"00000000-0000-4000-8000-000000000003\"") !=
        std::string::npos);
    BOOST_TEST(occurrences(dom, "class=\"now\"") == 1u);
    // Each room's tape under its bars.
    BOOST_TEST(occurrences(dom, "<g class=\"tape\"") == 2u, dom);
    BOOST_TEST(dom.find("being written</title>") != std::string::npos);
    // The bar of a talk that records links to the file being written (its watch link).
    BOOST_TEST(std::regex_search(
                   dom, std::regex("<a href=\"/recordings/[^\"]*Outage%20Talk[^\"]*\\.part\">")),
               dom);
    BOOST_TEST(dom.find("Steady &lt;b&gt;HLS&lt;/b&gt; &amp; \"Co\"") != std::string::npos);
    BOOST_TEST(dom.find("all times in <strong id=\"zone\">Europe/Berlin</strong>") !=
               std::string::npos);
    BrowserRun shot{url};
    shot.screenshot = folders.root.path / "live.png";
    BOOST_TEST(browse(shot, folders.root.path).exitCode == 0);
    BOOST_TEST(confcap::testing::pngSize(shot.screenshot).first == 1280u);
    BOOST_TEST(fs::file_size(shot.screenshot) > 30'000u);

    const auto code = confcap.wait(120s);
    BOOST_TEST_REQUIRE(code.has_value(), "confcap still runs:\n" << confcap.err());
    BOOST_TEST(*code == 0, confcap.err());

    // summary.html, opened from the file manager: every talk, its gap, its file.
    const auto page = folders.out / ".confcap" / "summary.html";
    BOOST_TEST_REQUIRE(fs::exists(page));
    const auto summary = browse({"file://" + page.string()}, folders.root.path);
    BOOST_TEST_REQUIRE(summary.exitCode == 0, "chromium failed: " << summary.err);
    const auto& html = summary.out;
    BOOST_TEST(html.find("3 talks: 3 recorded") != std::string::npos, html);
    BOOST_TEST(occurrences(html, "<tr class=\"recorded\" data-key=") == 3u);
    BOOST_TEST(occurrences(html, "<g class=\"talk recorded\"") == 3u);
    BOOST_TEST(html.find("data-cause=\"outage\"") != std::string::npos);
    BOOST_TEST(html.find("class=\"now\"") == std::string::npos);
    // Each talk's picture and strip, which the content check drew beside the summary.
    BOOST_TEST(occurrences(html, "<div class=\"nothumb\">") == 0u);
    const std::regex picture("<img class=\"(thumb|strip)\" src=\"([^\"]+)\"");
    std::size_t pictures = 0;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), picture);
         it != std::sregex_iterator(); ++it) {
        std::string file;
        Poco::URI::decode((*it)[2].str(), file);
        BOOST_TEST(fs::is_regular_file(page.parent_path() / file), file);
        ++pictures;
    }
    BOOST_TEST(pictures == 6u);
    BOOST_TEST(html.find("outage: ") != std::string::npos);
    // Its links lead to the recordings, relative to the page.
    const std::regex link("<a href=\"(\\.\\./[^\"]*Outage%20Talk\\.ts)\">");
    std::smatch found;
    BOOST_TEST_REQUIRE(std::regex_search(html, found, link), html);
    std::string target = found[1];
    target = std::regex_replace(target, std::regex("%20"), " ");
    BOOST_TEST(fs::is_regular_file(page.parent_path() / target), target);
    // The console stayed quiet: nothing the page refers to is missing.
    std::istringstream err(summary.err);
    for (std::string line; std::getline(err, line);) {
        BOOST_TEST(line.find(":CONSOLE") == std::string::npos, line);
    }
}

BOOST_AUTO_TEST_SUITE_END()
