#include "confcap/status/StatusPage.h"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "confcap/status/StatusServer.h"
#include "support/RunProcess.h"

using namespace confcap::status;
using namespace std::chrono_literals;
using confcap::core::Instant;
namespace fs = std::filesystem;

namespace {

const char* const kChromium = "/usr/bin/chromium";
const Instant kNow = date::sys_days{date::year{2024} / 12 / 27} + 10h + 42min;

struct TempFolder {
    fs::path path;
    TempFolder() {
        std::string pattern = fs::temp_directory_path() / "confcap-browser-XXXXXX";
        path = ::mkdtemp(pattern.data());
    }
    ~TempFolder() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

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
    auto d = job("job-d", "Saal 1", "09:30 Early", JobState::Recorded, kNow - 80min);
    d.file = "Saal 1/2024-12-27 09-30 Early.ts";
    d.coveredSeconds = 3300;
    board.update(d);
    auto e = job("job-e", "Saal 2", "09:00 Dark", JobState::Failed, kNow - 110min);
    e.reason = "the stream never answered (HTTP 404)";
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

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

boost::test_tools::assertion_result chromiumPresent(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result present(fs::exists(kChromium));
    present.message() << kChromium << " is not installed (apt-get install chromium)";
    return present;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(StatusPageTest)

BOOST_AUTO_TEST_CASE(rendersInAHeadlessBrowserWithoutErrors,
                     *boost::unit_test::precondition(chromiumPresent)) {
    TempFolder folder;
    const auto out = folder.path / "out";
    fs::create_directories(out / "Saal 1");
    std::ofstream(out / "Saal 1" / "2024-12-27 10-30 Opening.ts.part") << "media";
    StatusBoard board;
    fillBoard(board);
    confcap::core::FakeClock clock(kNow);
    StatusServer::Options options;
    options.outputDir = out;
    StatusServer server(board, clock, options);

    const auto home = folder.path / "home";
    fs::create_directories(home);
    const auto result = confcap::testing::runProcess(
        "/usr/bin/timeout",
        {"60", kChromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--user-data-dir=" + (folder.path / "profile").string(),
         "--enable-logging=stderr", "--v=0",
         // Lets the page's timers run (virtually) so the refresh from /api/status happens.
         "--virtual-time-budget=5000", "--dump-dom", server.url("/")},
        {{"HOME", home.string()},
         {"XDG_CONFIG_HOME", (home / ".config").string()},
         {"XDG_CACHE_HOME", (home / ".cache").string()}});
    BOOST_TEST_REQUIRE(result.exitCode == 0, "chromium failed: " << result.err);
    const auto& dom = result.out;

    // The script ran to the end of its rendering (a JS error would stop it first) and then
    // refreshed from /api/status at least once.
    BOOST_TEST(std::regex_search(dom, std::regex("<body[^>]* data-ok=\"1\"")), dom);
    std::smatch fetched;
    BOOST_TEST(std::regex_search(dom, fetched, std::regex("data-fetched=\"([0-9]+)\"")));
    BOOST_TEST((fetched.size() == 2 && std::stoi(fetched[1]) >= 1));

    // No console message at all: uncaught errors, CSP violations and failed loads all land there.
    std::istringstream err(result.err);
    for (std::string line; std::getline(err, line);) {
        BOOST_TEST(line.find(":CONSOLE") == std::string::npos, line);
    }

    // Rows rendered by the script carry data-key; each job appears once, in its table.
    const auto active = tableBody(dom, "active");
    for (const auto* key : {"job-a", "job-b", "job-c"}) {
        BOOST_TEST(count(active, std::string("data-key=\"") + key + "\"") == 1u, key);
    }
    BOOST_TEST(count(active, "<tr") == 3u);
    BOOST_TEST(active.find("<tr class=\"retrying\" data-key=\"job-c\">") != std::string::npos);
    BOOST_TEST(active.find("href=\"/recordings/Saal%201/2024-12-27%2010-30%20Opening.ts.part\"") !=
               std::string::npos);
    BOOST_TEST(active.find("98%") != std::string::npos);
    BOOST_TEST(active.find("1.0 GB") != std::string::npos);
    BOOST_TEST(active.find("4.1 Mb/s") != std::string::npos);
    const auto upcoming = tableBody(dom, "upcoming");
    BOOST_TEST(count(upcoming, "data-key=") == 3u);
    BOOST_TEST(upcoming.find("11:30 Next") != std::string::npos);
    BOOST_TEST(upcoming.find("43m") != std::string::npos);
    // A talk whose window has begun but that waits for disk space says so.
    BOOST_TEST(upcoming.find("<td>waiting for disk space</td>") != std::string::npos, upcoming);
    BOOST_TEST(dom.find("<p id=\"disk\">Disk: 900 MB free of 500 GB; the rest of the plan needs "
                        "5.4 GB (at most 12.0 Mb/s); --min-free 1.1 GB. It does not fit: the free "
                        "space lasts 10m. Free space is below --min-free: a talk whose window "
                        "opens waits for disk space.</p>") != std::string::npos,
               dom);
    const auto finished = tableBody(dom, "finished");
    BOOST_TEST(count(finished, "data-key=") == 3u);
    BOOST_TEST(finished.find("the stream never answered (HTTP 404)") != std::string::npos);
    BOOST_TEST(finished.find("href=\"/recordings/Saal%201/2024-12-27%2009-30%20Early.ts\"") !=
               std::string::npos);
    const auto events = tableBody(dom, "events");
    BOOST_TEST(count(events, "<tr") == 2u);
    BOOST_TEST(dom.find("href=\"summary.json\"") != std::string::npos);

    // A hostile title is text, never markup.
    BOOST_TEST(active.find("&lt;img src=x onerror=alert(1)&gt; &amp; \"quotes\"") !=
               std::string::npos);
    BOOST_TEST(dom.find("<img") == std::string::npos);
    BOOST_TEST(dom.find("<b>bold</b>") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
