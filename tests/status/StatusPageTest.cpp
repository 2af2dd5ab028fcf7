#include "confcap/status/StatusPage.h"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <date/tz.h>

#include "confcap/status/StatusServer.h"
#include "support/Browser.h"
#include "support/DevTools.h"
#include "support/FakeClock.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(StatusPageTest)

using confcap::testing::TempDir;

using namespace confcap::status;
using namespace std::chrono_literals;
using confcap::core::Instant;
using confcap::testing::browse;
using confcap::testing::BrowserRun;
using confcap::testing::chromiumPresent;
using confcap::testing::occurrences;
namespace fs = std::filesystem;

namespace {

const Instant kNow = date::sys_days{date::year{2024} / 12 / 27} + 10h + 42min;

JobSnapshot job(std::string key, std::string room, std::string talk, JobState state, Instant from) {
    JobSnapshot j;
    j.key = std::move(key);
    j.room = room;
    j.mark = {std::move(room), std::move(talk)};
    j.title = j.mark.talk.substr(6);
    j.from = from;
    j.until = from + 55min;
    j.talkStart = from + 5min;
    j.talkEnd = j.until - 5min;
    j.state = state;
    return j;
}

void fillBoard(StatusBoard& board) {
    auto a = job("job-a", "Saal 1", "10:30 Opening", JobState::Recording, kNow - 17min);
    a.file = "Saal 1/2024-12-27 10-30 Opening.ts.part";
    a.bytes = 1'000'000'000;
    a.bitsPerSecond = 4.1e6;
    a.coveredSeconds = 1000;
    a.lastData = std::chrono::system_clock::time_point(kNow);
    confcap::core::Gap restart;
    restart.at = std::chrono::system_clock::time_point(kNow - 10min);
    restart.length = 45s;
    restart.cause = "stream restarted";
    a.gapSpans = {restart};
    a.gaps = 1;
    a.gapSeconds = 45;
    board.update(a);
    auto b = job("job-b", "Saal 2", "10:40 <img src=x onerror=alert(1)> & \"quotes\"",
                 JobState::Recording, kNow - 2min);
    b.file = "Saal 2/b.webm.part";
    board.update(b);
    auto c = job("job-c", "Saal 3", "10:35 Retry", JobState::Retrying, kNow - 7min);
    c.reconnects = 4;
    c.gaps = 1;
    c.gapSeconds = 12;
    board.update(c);
    board.update(job("job-w1", "Saal 1", "11:30 Next", JobState::Waiting, kNow + 43min));
    board.update(job("job-w2", "Saal 2", "12:00 Later", JobState::Waiting, kNow + 73min));
    auto held = job("job-w3", "Saal 4", "10:40 Held", JobState::Waiting, kNow - 2min);
    held.reason = "waiting for disk space";
    board.update(held);
    confcap::run::DiskSnapshot disk;
    disk.at = std::chrono::system_clock::time_point(kNow);
    disk.freeBytes = 900'000'000;
    disk.totalBytes = 500'000'000'000;
    disk.neededBytes = 5'400'000'000;
    disk.reserveBytes = 1'073'741'824;
    disk.peakBitsPerSecond = 12e6;
    disk.runsOutAt = std::chrono::system_clock::time_point(kNow + 10min);
    disk.belowReserve = true;
    board.disk(disk);
    // Saal 1's tape: a piece from the night before, out of view, one that ended at an outage,
    // and the one being written.
    const auto at = [](Instant t) { return std::chrono::system_clock::time_point(t); };
    confcap::run::TapeSnapshot tape;
    tape.room = "Saal 1";
    tape.spans = {{at(kNow - 20h), at(kNow - 19h)},
                  {at(kNow - 90min), at(kNow - 12min)},
                  {at(kNow - 11min), at(kNow)}};
    tape.bytes = 3'000'000'000;
    tape.writing = true;
    board.tapes({tape});
    auto d = job("job-d", "Saal 1", "09:30 Early", JobState::Recorded, kNow - 80min);
    d.file = "Saal 1/2024-12-27 09-30 Early.ts";
    d.coveredSeconds = 3300;
    board.update(d);
    auto e = job("job-e", "Saal 2", "09:00 Dark", JobState::Failed, kNow - 110min);
    e.reason = "the stream never answered (HTTP 404)";
    e.file =
        "2024-12-27/Saal 2/0900 Dark: a talk whose title goes on and on and on, as some "
        "do, far beyond what a column holds.ts";
    board.update(e);
    auto f = job("job-f", "Saal 4", "09:00 Private", JobState::Skipped, kNow - 110min);
    f.reason = "no stream for room Saal 4";
    board.update(f);
    board.publish(Event{std::chrono::system_clock::time_point(kNow),
                        Level::Warning,
                        {"Saal 3", "10:35 Retry"},
                        "stream stalled </script> <b>bold</b>"});
    board.publish(
        Event{std::chrono::system_clock::time_point(kNow), Level::Info, {}, "schedule refreshed"});
}

/// The rows of the tbody with `id` in a dumped DOM.
std::string tableBody(const std::string& dom, const std::string& id) {
    const auto start = dom.find("<tbody id=\"" + id + "\">");
    const auto end = dom.find("</tbody>", start);
    BOOST_REQUIRE(start != std::string::npos && end != std::string::npos);
    return dom.substr(start, end - start);
}

/// The server of the board filled by fillBoard, showing times in Europe/Berlin.
struct PageServer {
    TempDir folder;
    fs::path out = folder.path / "out";
    StatusBoard board;
    confcap::testing::FakeClock clock{kNow};
    std::unique_ptr<StatusServer> server;
    PageServer() {
        fs::create_directories(out / "Saal 1");
        std::ofstream(out / "Saal 1" / "2024-12-27 10-30 Opening.ts.part") << "media";
        fillBoard(board);
        StatusServer::Options options;
        options.outputDir = out;
        options.zone = date::locate_zone("Europe/Berlin");
        server = std::make_unique<StatusServer>(board, clock, options);
    }
};

/// The first element <svg class="timeline" ...>...</svg> of a dumped DOM.
std::string timelineOf(const std::string& dom) {
    const auto start = dom.find("<svg class=\"timeline\"");
    const auto end = dom.find("</svg>", start);
    BOOST_REQUIRE(start != std::string::npos && end != std::string::npos);
    return dom.substr(start, end - start);
}

}  // namespace

BOOST_AUTO_TEST_CASE(rendersInAHeadlessBrowserWithoutErrors,
                     *boost::unit_test::precondition(chromiumPresent)) {
    PageServer page;
    const auto result = browse({page.server->url("/")}, page.folder.path);
    BOOST_TEST_REQUIRE(result.exitCode == 0, "chromium failed: " << result.err);
    const auto& dom = result.out;

    // The script ran to the end of its rendering (a JS error would stop it first) and then
    // refreshed from /api/status at least once.
    BOOST_TEST(std::regex_search(dom, std::regex("<body[^>]* data-ok=\"1\"")), dom);
    std::smatch fetched;
    BOOST_TEST(std::regex_search(dom, fetched, std::regex("data-fetched=\"([0-9]+)\"")));
    BOOST_TEST((fetched.size() == 2 && std::stoi(fetched[1]) >= 1));
    // A laptop's 1280 px hold the whole page: long names and reasons wrap.
    std::smatch width;
    BOOST_TEST_REQUIRE(std::regex_search(dom, width, std::regex("data-width=\"([0-9]+)\"")));
    BOOST_TEST(std::stoi(width[1]) <= 1280);

    // No console message at all: uncaught errors, CSP violations and failed loads all land there.
    std::istringstream err(result.err);
    for (std::string line; std::getline(err, line);) {
        BOOST_TEST(line.find(":CONSOLE") == std::string::npos, line);
    }

    // Rows rendered by the script carry data-key; each job appears once, in its table.
    const auto active = tableBody(dom, "active");
    for (const auto* key : {"job-a", "job-b", "job-c"}) {
        BOOST_TEST(occurrences(active, std::string("data-key=\"") + key + "\"") == 1u, key);
    }
    BOOST_TEST(occurrences(active, "<tr") == 3u);
    BOOST_TEST(active.find("<tr class=\"retrying\" data-key=\"job-c\">") != std::string::npos);
    BOOST_TEST(active.find("href=\"/recordings/Saal%201/2024-12-27%2010-30%20Opening.ts.part\"") !=
               std::string::npos);
    BOOST_TEST(active.find("98%") != std::string::npos);
    BOOST_TEST(active.find("1.0 GB") != std::string::npos);
    BOOST_TEST(active.find("4.1 Mb/s") != std::string::npos);
    const auto upcoming = tableBody(dom, "upcoming");
    BOOST_TEST(occurrences(upcoming, "data-key=") == 3u);
    BOOST_TEST(upcoming.find("11:30 Next") != std::string::npos);
    BOOST_TEST(upcoming.find("43m") != std::string::npos);
    // A talk whose window has begun but that waits for disk space says so.
    BOOST_TEST(upcoming.find(">waiting for disk space</td>") != std::string::npos, upcoming);
    BOOST_TEST(dom.find("<p id=\"disk\">Disk: 900 MB free of 500 GB; the rest of the plan needs "
                        "5.4 GB (at most 12.0 Mb/s); --min-free 1.1 GB. It does not fit: the free "
                        "space lasts 10m. Free space is below --min-free: a talk whose window "
                        "opens waits for disk space.</p>") != std::string::npos,
               dom);
    const auto finished = tableBody(dom, "finished");
    BOOST_TEST(occurrences(finished, "data-key=") == 3u);
    BOOST_TEST(finished.find("the stream never answered (HTTP 404)") != std::string::npos);
    BOOST_TEST(finished.find("href=\"/recordings/Saal%201/2024-12-27%2009-30%20Early.ts\"") !=
               std::string::npos);
    const auto events = tableBody(dom, "events");
    BOOST_TEST(occurrences(events, "<tr") == 2u);
    BOOST_TEST(dom.find("href=\"summary.json\"") != std::string::npos);

    // A hostile title is text, never markup.
    BOOST_TEST(active.find("&lt;img src=x onerror=alert(1)&gt; &amp; \"quotes\"") !=
               std::string::npos);
    BOOST_TEST(dom.find("<img") == std::string::npos);
    BOOST_TEST(dom.find("<b>bold</b>") == std::string::npos);

    // The timeline as the refresh left it: a row per room, a bar per talk styled by its state
    // and linking to its file, its gaps by cause, and the now line.
    const auto svg = timelineOf(dom);
    BOOST_TEST(occurrences(svg, "<g class=\"room-row\"") == 4u);
    BOOST_TEST(occurrences(svg, "<g class=\"talk ") == 9u);
    BOOST_TEST(svg.find("<g class=\"talk recording\" data-key=\"job-a\">") != std::string::npos);
    BOOST_TEST(svg.find("<g class=\"talk retrying\" data-key=\"job-c\">") != std::string::npos);
    BOOST_TEST(svg.find("<g class=\"talk failed\" data-key=\"job-e\">") != std::string::npos);
    BOOST_TEST(svg.find("<a href=\"/recordings/Saal%201/2024-12-27%2010-30%20Opening.ts.part\">") !=
               std::string::npos);
    BOOST_TEST(
        svg.find("class=\"gap\" data-cause=\"stream restarted\" fill=\"#fb8c00\"><title>stream "
                 "restarted: 45 s from 11:32:00</title>") != std::string::npos,
        svg);
    BOOST_TEST(svg.find("class=\"gap open\" data-cause=\"not live yet\"") != std::string::npos);
    BOOST_TEST(svg.find("class=\"gap open\" data-cause=\"disk full\"") != std::string::npos);
    BOOST_TEST(occurrences(svg, "class=\"now\"") == 1u);
    BOOST_TEST(svg.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
    // Saal 1's tape under its bars: the two pieces in view, the last one being written.
    BOOST_TEST(occurrences(svg, "<g class=\"tape\"") == 1u);
    BOOST_TEST(svg.find("<g class=\"tape\" data-room=\"Saal 1\"><title>tape of Saal 1: 3 pieces, "
                        "3.0 GB, being written</title>") != std::string::npos,
               svg);
    BOOST_TEST(occurrences(svg, "class=\"tape-span\"") == 2u);
    BOOST_TEST(svg.find("<title>tape 10:12:00–11:30:00</title>") != std::string::npos, svg);
    BOOST_TEST(svg.find("<title>tape 11:31:00–now</title>") != std::string::npos, svg);
    BOOST_TEST(dom.find("room tape</span>") != std::string::npos);

    // Words a person knows, and one zone, named once: the window is in Berlin time (UTC+1).
    BOOST_TEST(dom.find("core::") == std::string::npos);
    BOOST_TEST(dom.find("<th>Outcome</th>") != std::string::npos);
    BOOST_TEST(dom.find("all times in <strong id=\"zone\">Europe/Berlin</strong>") !=
               std::string::npos);
    BOOST_TEST(active.find(">11:25–12:20</td>") != std::string::npos, active);
    BOOST_TEST(dom.find(" AM") == std::string::npos);
    BOOST_TEST(dom.find(" PM") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(fitsAPhoneWithoutScrollingSidewaysAndLooksLikeAPage,
                     *boost::unit_test::precondition(chromiumPresent)) {
    PageServer page;
    // At 390 CSS pixels the document is no wider than the screen (only the timeline scrolls).
    // Headless Chromium's windows are at least 500 px wide: a phone's viewport is emulated.
    {
        confcap::testing::DevToolsPage phone(page.folder.path);
        phone.viewport(390, 844);
        phone.navigate(page.server->url("/"));
        BOOST_TEST_REQUIRE(phone.waitUntil("document.body && document.body.dataset.ok === '1'",
                                           std::chrono::seconds(20)));
        BOOST_TEST(phone.evaluate("window.innerWidth") == "390");
        BOOST_TEST(std::stoi(phone.evaluate("document.documentElement.scrollWidth")) <= 390);
        // The timeline scrolls inside its box instead.
        BOOST_TEST(std::stoi(phone.evaluate("document.getElementById('timeline').scrollWidth")) >
                   390);
        const auto shot = page.folder.path / "status-phone.png";
        phone.screenshot(shot);
        BOOST_TEST(confcap::testing::pngSize(shot).first == 390u);
        BOOST_TEST(fs::file_size(shot) > 20'000u, fs::file_size(shot));
    }

    // Screenshots of two laptops' views are real pictures of the page.
    for (const auto& [w, h] : {std::pair{1280, 1000}, std::pair{1440, 900}}) {
        BrowserRun shot{page.server->url("/")};
        shot.width = w;
        shot.height = h;
        shot.screenshot = page.folder.path / ("status-" + std::to_string(w) + ".png");
        const auto taken = browse(shot, page.folder.path);
        BOOST_TEST_REQUIRE(taken.exitCode == 0, "chromium failed: " << taken.err);
        const auto [pw, ph] = confcap::testing::pngSize(shot.screenshot);
        BOOST_TEST(pw == static_cast<std::uint32_t>(w));
        BOOST_TEST(ph == static_cast<std::uint32_t>(h));
        // A blank or error page compresses to a few kB; the page with its timeline does not.
        BOOST_TEST(fs::file_size(shot.screenshot) > 30'000u, fs::file_size(shot.screenshot));
    }
}

BOOST_AUTO_TEST_CASE(theTimelineKeepsItsZoomAcrossRefreshes,
                     *boost::unit_test::precondition(chromiumPresent)) {
    PageServer page;
    const auto result = browse({page.server->url("/?hours=1&room=Saal%201")}, page.folder.path);
    BOOST_TEST_REQUIRE(result.exitCode == 0, "chromium failed: " << result.err);
    const auto& dom = result.out;
    std::smatch fetched;
    BOOST_TEST_REQUIRE(std::regex_search(dom, fetched, std::regex("data-fetched=\"([0-9]+)\"")));
    BOOST_TEST(std::stoi(fetched[1]) >= 1);
    // After the refresh the timeline still shows Saal 1 only, and of it the last hour: the
    // talk recording now and the one that ended at 10:17, not the one at 11:25.
    const auto svg = timelineOf(dom);
    BOOST_TEST(occurrences(svg, "<g class=\"room-row\"") == 1u);
    BOOST_TEST(svg.find("data-room=\"Saal 1\"") != std::string::npos);
    BOOST_TEST(occurrences(svg, "<g class=\"talk ") == 2u, svg);
    BOOST_TEST(svg.find("data-key=\"job-a\"") != std::string::npos);
    BOOST_TEST(svg.find("data-key=\"job-d\"") != std::string::npos);
    BOOST_TEST(svg.find("data-key=\"job-w1\"") == std::string::npos);
    // The links zoom without script: plain links with the query.
    BOOST_TEST(dom.find("<strong>Last hour</strong>") != std::string::npos);
    BOOST_TEST(dom.find("<a href=\"?hours=1\">All rooms</a>") != std::string::npos);
    BOOST_TEST(dom.find("<a href=\"?room=Saal%201\">Whole run</a>") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
