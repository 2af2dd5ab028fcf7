// The status server's pages beyond the board's tables: the timeline in /api/status, its zoom
// by query, and summary.html with its thumbnails (served from the bookkeeping folder).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <date/tz.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "confcap/status/StatusServer.h"
#include "support/FakeClock.h"
#include "support/HttpFetch.h"
#include "support/TextCount.h"

BOOST_AUTO_TEST_SUITE(StatusServerPagesTest)

using namespace confcap::status;
using namespace std::chrono_literals;
using confcap::core::Instant;
namespace fs = std::filesystem;

using confcap::testing::occurrences;

using confcap::testing::fetch;
using confcap::testing::Response;

namespace {

const Instant kNow = date::sys_days{date::year{2024} / 12 / 27} + 10h + 42min;

JobSnapshot job(std::string key, std::string room, JobState state, Instant from) {
    JobSnapshot j;
    j.key = std::move(key);
    j.room = room;
    j.title = "Talk in " + room;
    j.mark = {std::move(room), "11:00 " + j.title};
    j.from = from;
    j.until = from + 55min;
    j.talkStart = from + 5min;
    j.talkEnd = j.until - 5min;
    j.state = state;
    return j;
}

struct Fixture {
    std::string folderName = [] {
        std::string pattern = fs::temp_directory_path() / "confcap-pages-XXXXXX";
        return std::string(::mkdtemp(pattern.data()));
    }();
    fs::path out = fs::path(folderName) / "out";
    StatusBoard board;
    confcap::testing::FakeClock clock{kNow};
    std::unique_ptr<StatusServer> server;
    Fixture() {
        fs::create_directories(out);
        StatusServer::Options options;
        options.outputDir = out;
        options.zone = date::locate_zone("Europe/Berlin");
        server = std::make_unique<StatusServer>(board, clock, options);
        auto a = job("a", "Saal 1", JobState::Recording, kNow - 20min);
        a.lastData = std::chrono::system_clock::time_point(kNow);
        a.bytes = 100;
        a.file = "Saal 1/a.ts.part";
        confcap::core::Gap gap;
        gap.at = std::chrono::system_clock::time_point(kNow - 10min);
        gap.length = 30s;
        gap.cause = "outage";
        a.gapSpans = {gap};
        board.update(a);
        board.update(job("b", "Saal 2", JobState::Waiting, kNow + 3h));
    }
    ~Fixture() {
        server.reset();
        fs::remove_all(folderName);
    }
    std::uint16_t port() const { return server->port(); }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(apiStatusCarriesSpansGapsAndTheZone, Fixture) {
    const auto response = fetch(port(), "/api/status");
    BOOST_TEST(response.status == 200);
    const auto root = Poco::JSON::Parser().parse(response.body).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(root->getValue<std::string>("zone") == "Europe/Berlin");
    BOOST_TEST(!root->has("timeline"));
    const auto a = root->getArray("jobs")->getObject(0);
    const auto gaps = a->getArray("gap_spans");
    BOOST_REQUIRE_EQUAL(gaps->size(), 1u);
    BOOST_TEST(gaps->getObject(0)->getValue<double>("offset_seconds") == 600.0);
    BOOST_TEST(gaps->getObject(0)->getValue<double>("seconds") == 30.0);
    BOOST_TEST(gaps->getObject(0)->getValue<std::string>("cause") == "outage");
    const auto covered = a->getArray("covered_spans");
    BOOST_REQUIRE_EQUAL(covered->size(), 2u);
    BOOST_TEST(covered->getObject(1)->getValue<double>("offset_seconds") == 630.0);
    BOOST_TEST(covered->getObject(1)->getValue<double>("seconds") == 570.0);
}

BOOST_FIXTURE_TEST_CASE(theTimelineIsZoomedByTheQuery, Fixture) {
    const auto all = fetch(port(), "/api/status?timeline=svg");
    const auto root = Poco::JSON::Parser().parse(all.body).extract<Poco::JSON::Object::Ptr>();
    const auto svg = root->getValue<std::string>("timeline");
    BOOST_TEST(occurrences(svg, "<g class=\"room-row\"") == 2u);
    BOOST_TEST(occurrences(svg, "<g class=\"talk ") == 2u);

    // The last hour leaves the talk in three hours out; one room leaves the other row out.
    const auto hour = fetch(port(), "/api/status?timeline=svg&hours=1");
    const auto zoomed = Poco::JSON::Parser()
                            .parse(hour.body)
                            .extract<Poco::JSON::Object::Ptr>()
                            ->getValue<std::string>("timeline");
    BOOST_TEST(occurrences(zoomed, "<g class=\"talk ") == 1u);
    const auto page = fetch(port(), "/?room=Saal%201");
    BOOST_TEST(page.status == 200);
    BOOST_TEST(occurrences(page.body, "<g class=\"room-row\"") == 1u);
    BOOST_TEST(page.body.find("<a href=\"?hours=1&amp;room=Saal%201\">Last hour</a>") !=
               std::string::npos);
    BOOST_TEST(page.body.find(">All rooms</a>") != std::string::npos);
    // One zone on the page, named once: the window of the talk is in Berlin time.
    BOOST_TEST(page.body.find("all times in <strong id=\"zone\">Europe/Berlin</strong>") !=
               std::string::npos);
    BOOST_TEST(page.body.find(">11:22\u201312:17</td>") != std::string::npos);
    BOOST_TEST(page.body.find(" UTC") == std::string::npos);
    BOOST_TEST(page.body.find("core::") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(summaryHtmlAndThumbnailsAreServedAndNothingElseOfTheBookkeeping, Fixture) {
    BOOST_TEST(fetch(port(), "/summary.html").status == 404);
    fs::create_directories(out / ".confcap" / "thumbs");
    std::ofstream(out / ".confcap" / "summary.html") << "<!DOCTYPE html><p>summary</p>";
    std::ofstream(out / ".confcap" / "thumbs" / "a.jpg") << "\xFF\xD8\xFF jpeg";
    std::ofstream(out / ".confcap" / "journal.json") << "{}";

    const auto redirect = fetch(port(), "/summary.html");
    BOOST_TEST(redirect.status == 302);
    BOOST_TEST(redirect.header("Location") == "/recordings/.confcap/summary.html");
    const auto page = fetch(port(), "/recordings/.confcap/summary.html");
    BOOST_TEST(page.status == 200);
    BOOST_TEST(page.header("Content-Type") == "text/html; charset=utf-8");
    BOOST_TEST(page.header("Content-Security-Policy").find("default-src 'none'") == 0u);
    BOOST_TEST(page.header("Content-Security-Policy").find("script-src") == std::string::npos);
    BOOST_TEST(page.body == "<!DOCTYPE html><p>summary</p>");
    const auto thumb = fetch(port(), "/recordings/.confcap/thumbs/a.jpg");
    BOOST_TEST(thumb.status == 200);
    BOOST_TEST(thumb.header("Content-Type") == "image/jpeg");
    BOOST_TEST(fetch(port(), "/recordings/.confcap/journal.json").status == 404);
    BOOST_TEST(fetch(port(), "/recordings/.confcap/thumbs/").status != 200);
}

BOOST_AUTO_TEST_SUITE_END()
