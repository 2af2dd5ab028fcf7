#include "confcap/status/StatusServer.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>

#include <sys/inotify.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "confcap/core/Error.h"
#include "confcap/status/Summary.h"
#include "support/FakeClock.h"
#include "support/HttpFetch.h"
#include "support/TempDir.h"

BOOST_AUTO_TEST_SUITE(StatusServerTest)

using confcap::testing::TempDir;

using namespace confcap::status;
using namespace std::chrono_literals;
using confcap::core::Instant;
namespace fs = std::filesystem;

using confcap::testing::fetch;
using confcap::testing::Response;

namespace {

const Instant kNow = date::sys_days{date::year{2024} / 12 / 27} + 10h + 42min;

Poco::JSON::Object::Ptr parse(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

void writeFile(const fs::path& path, const std::string& content,
               std::ios::openmode mode = std::ios::trunc) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::out | mode) << content;
}

std::string pattern(std::size_t size, char seed) {
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = static_cast<char>(seed + static_cast<char>(i % 23));
    }
    return out;
}

JobSnapshot waitingJob() {
    JobSnapshot job;
    job.key = "guid-1";
    job.room = "Saal 1";
    job.title = "Opening";
    job.mark = {"Saal 1", "10:30 Opening"};
    job.talkStart = kNow - 12min;
    job.talkEnd = kNow + 33min;
    job.from = kNow - 17min;
    job.until = kNow + 38min;
    return job;
}

struct Fixture {
    TempDir folder;
    fs::path out = folder.path / "out";
    StatusBoard board;
    confcap::testing::FakeClock clock{kNow};
    std::unique_ptr<StatusServer> server;
    Fixture() {
        fs::create_directories(out);
        StatusServer::Options options;
        options.outputDir = out;
        server = std::make_unique<StatusServer>(board, clock, options);
    }
    std::uint16_t port() const { return server->port(); }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(apiStatusFollowsTheSnapshots, Fixture) {
    board.update(waitingJob());
    auto first = fetch(port(), "/api/status");
    BOOST_TEST(first.status == 200);
    BOOST_TEST(first.header("Content-Type") == "application/json");
    auto status = parse(first.body);
    BOOST_TEST(status->getValue<std::string>("now") == "2024-12-27T10:42:00Z");
    BOOST_TEST(status->isNull("summary_url"));
    auto jobs = status->getArray("jobs");
    BOOST_REQUIRE_EQUAL(jobs->size(), 1u);
    BOOST_TEST(jobs->getObject(0)->getValue<std::string>("state") == "waiting");
    BOOST_TEST(jobs->getObject(0)->isNull("url"));

    auto job = waitingJob();
    job.state = JobState::Recording;
    job.file = "Saal 1/2024-12-27 10-30 Opening.ts.part";
    job.bytes = 123456789;
    job.bitsPerSecond = 4.5e6;
    job.coveredSeconds = 1000;
    job.gapSeconds = 3.5;
    job.gaps = 1;
    job.reconnects = 2;
    job.reason = "stream up";
    board.update(job);
    board.publish(Event{std::chrono::system_clock::time_point(kNow), Level::Warning, job.mark,
                        "reconnected after 3.2 s"});

    status = parse(fetch(port(), "/api/status").body);
    jobs = status->getArray("jobs");
    BOOST_REQUIRE_EQUAL(jobs->size(), 1u);
    const auto j = jobs->getObject(0);
    BOOST_TEST(j->getValue<std::string>("key") == "guid-1");
    BOOST_TEST(j->getValue<std::string>("room") == "Saal 1");
    BOOST_TEST(j->getValue<std::string>("title") == "Opening");
    BOOST_TEST(j->getObject("mark")->getValue<std::string>("room") == "Saal 1");
    BOOST_TEST(j->getObject("mark")->getValue<std::string>("talk") == "10:30 Opening");
    BOOST_TEST(j->getValue<std::string>("talk_start") == "2024-12-27T10:30:00Z");
    BOOST_TEST(j->getValue<std::string>("talk_end") == "2024-12-27T11:15:00Z");
    BOOST_TEST(j->getValue<std::string>("from") == "2024-12-27T10:25:00Z");
    BOOST_TEST(j->getValue<std::string>("until") == "2024-12-27T11:20:00Z");
    BOOST_TEST(j->getValue<std::string>("state") == "recording");
    BOOST_TEST(j->getValue<std::string>("reason") == "stream up");
    BOOST_TEST(j->getValue<std::string>("file") == job.file);
    BOOST_TEST(j->getValue<std::string>("url") ==
               "/recordings/Saal%201/2024-12-27%2010-30%20Opening.ts.part");
    BOOST_TEST(j->getValue<std::uint64_t>("bytes") == 123456789u);
    BOOST_TEST(j->getValue<double>("bits_per_second") == 4.5e6);
    BOOST_TEST(j->getValue<double>("covered_seconds") == 1000.0);
    BOOST_TEST(j->getValue<double>("coverage") == 1000.0 / 1020.0,
               boost::test_tools::tolerance(1e-9));
    BOOST_TEST(j->getValue<double>("gap_seconds") == 3.5);
    BOOST_TEST(j->getValue<int>("gaps") == 1);
    BOOST_TEST(j->getValue<int>("reconnects") == 2);
    BOOST_TEST(status->getObject("counts")->getValue<int>("recording") == 1);
    BOOST_TEST(status->getObject("counts")->getValue<int>("waiting") == 0);
    const auto events = status->getArray("events");
    BOOST_REQUIRE_EQUAL(events->size(), 1u);
    BOOST_TEST(events->getObject(0)->getValue<std::string>("time") == "2024-12-27T10:42:00Z");
    BOOST_TEST(events->getObject(0)->getValue<std::string>("level") == "warning");
    BOOST_TEST(events->getObject(0)->getValue<std::string>("message") == "reconnected after 3.2 s");

    Summary::fromJobs(board.jobs(), kNow).writeJson(Summary::defaultPath(out));
    status = parse(fetch(port(), "/api/status").body);
    BOOST_TEST(status->getValue<std::string>("summary_url") == "/summary.json");
    const auto summary = fetch(port(), "/summary.json");
    BOOST_TEST(summary.status == 200);
    BOOST_TEST(summary.header("Content-Type") == "application/json");
    BOOST_TEST(parse(summary.body)->getArray("talks")->size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(metricsAreServedInThePrometheusTextFormat, Fixture) {
    auto job = waitingJob();
    job.state = JobState::Recording;
    job.bytes = 4096;
    board.update(job);
    const auto metrics = fetch(port(), "/metrics");
    BOOST_TEST(metrics.status == 200);
    BOOST_TEST(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    BOOST_TEST(metrics.header("Cache-Control") == "no-store");
    BOOST_TEST(metrics.body.find("confcap_talk_state{room=\"Saal 1\",talk=\"Opening\",id=\"guid-"
                                 "1\",state=\"recording\"} 1\n") != std::string::npos);
    BOOST_TEST(metrics.body.find(
                   "confcap_talk_bytes{room=\"Saal 1\",talk=\"Opening\",id=\"guid-1\"} 4096\n") !=
               std::string::npos);
    BOOST_TEST(metrics.body.find("confcap_room_in_window{room=\"Saal 1\"} 1\n") !=
               std::string::npos);
    // Without a refresher and hooks, their samples are left out.
    BOOST_TEST(metrics.body.find("confcap_schedule_") == std::string::npos);
    BOOST_TEST(metrics.body.find("\nconfcap_hooks_total{") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(metricsHaveTheRefreshesAndHooksTheAppGives) {
    TempDir folder;
    StatusBoard board;
    confcap::testing::FakeClock clock{kNow};
    StatusServer::Options options;
    options.outputDir = folder.path;
    options.scheduleRefreshes = [] {
        confcap::run::ScheduleRefresher::Counts counts;
        counts.refreshes = 7;
        counts.failures = 2;
        counts.lastSuccess = std::chrono::system_clock::time_point(kNow - 1min);
        return counts;
    };
    options.refreshPeriod = 300s;
    options.hookResults = [] { return std::map<std::string, std::uint64_t>{{"exit 0", 3}}; };
    StatusServer server(board, clock, options);
    const auto body = fetch(server.port(), "/metrics").body;
    BOOST_TEST(body.find("\nconfcap_schedule_refreshes_total 7\n") != std::string::npos);
    BOOST_TEST(body.find("\nconfcap_schedule_refresh_failures_total 2\n") != std::string::npos);
    BOOST_TEST(body.find("\nconfcap_schedule_last_refresh_timestamp_seconds 1735296060\n") !=
               std::string::npos);
    BOOST_TEST(body.find("\nconfcap_schedule_refresh_interval_seconds 300\n") != std::string::npos);
    BOOST_TEST(body.find("\nconfcap_hooks_total{result=\"exit 0\"} 3\n") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(theDiskGuardsLastLookIsInTheStatusThePageAndTheMetrics, Fixture) {
    BOOST_TEST(parse(fetch(port(), "/api/status").body)->isNull("disk"));
    BOOST_TEST(fetch(port(), "/metrics").body.find("confcap_disk_") == std::string::npos);

    confcap::run::DiskSnapshot disk;
    disk.at = std::chrono::system_clock::time_point(kNow - 20s);
    disk.freeBytes = 800'000'000;
    disk.totalBytes = 100'000'000'000;
    disk.neededBytes = 2'700'000'000;
    disk.reserveBytes = 1'000'000'000;
    disk.peakBitsPerSecond = 6e6;
    disk.runsOutAt = std::chrono::system_clock::time_point(kNow + 17min + 46s);
    disk.belowReserve = true;
    board.disk(disk);

    const auto status = parse(fetch(port(), "/api/status").body);
    const auto d = status->getObject("disk");
    BOOST_REQUIRE(d);
    BOOST_TEST(d->getValue<Poco::UInt64>("free_bytes") == 800'000'000U);
    BOOST_TEST(d->getValue<Poco::UInt64>("needed_bytes") == 2'700'000'000U);
    BOOST_TEST(d->getValue<Poco::UInt64>("min_free_bytes") == 1'000'000'000U);
    BOOST_TEST(d->getValue<std::string>("runs_out_at") == "2024-12-27T10:59:46Z");
    BOOST_TEST(d->getValue<bool>("below_min_free"));
    BOOST_TEST(d->getValue<std::string>("checked") == "2024-12-27T10:41:40Z");
    const std::string line =
        "Disk: 800 MB free of 100 GB; the rest of the plan needs 2.7 GB (at most 6.0 Mb/s); "
        "--min-free 1.0 GB. It does not fit: the free space lasts 17m. Free space is below "
        "--min-free: a talk whose window opens waits for disk space.";
    BOOST_TEST(d->getValue<std::string>("line") == line);
    BOOST_TEST(fetch(port(), "/").body.find("<p id=\"disk\">" + line + "</p>") !=
               std::string::npos);

    const auto metrics = fetch(port(), "/metrics").body;
    BOOST_TEST(metrics.find("\nconfcap_disk_free_bytes 800000000\n") != std::string::npos);
    BOOST_TEST(metrics.find("\nconfcap_disk_needed_bytes 2700000000\n") != std::string::npos);
    BOOST_TEST(metrics.find("\nconfcap_disk_min_free_bytes 1000000000\n") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(eachRoomsTapeIsInTheStatusAndOnItsTimeline, Fixture) {
    BOOST_TEST(parse(fetch(port(), "/api/status").body)->getArray("tapes")->size() == 0u);

    const auto at = [](Instant t) { return std::chrono::system_clock::time_point(t); };
    confcap::run::TapeSnapshot writing;
    writing.room = "Saal 1";
    writing.spans = {{at(kNow - 2h), at(kNow - 1h)}, {at(kNow - 50min), at(kNow)}};
    writing.bytes = 1'500'000'000;
    writing.writing = true;
    confcap::run::TapeSnapshot stopped;
    stopped.room = "Saal 2";
    stopped.spans = {{at(kNow - 30min), at(kNow - 10min)}};
    stopped.error = "The room's tape stopped: No space left on device.";
    board.tapes({writing, stopped});

    const auto status = parse(fetch(port(), "/api/status?timeline=svg").body);
    const auto tapes = status->getArray("tapes");
    BOOST_REQUIRE(tapes->size() == 2u);
    const auto first = tapes->getObject(0);
    BOOST_TEST(first->getValue<std::string>("room") == "Saal 1");
    BOOST_TEST(first->getValue<Poco::UInt64>("bytes") == 1'500'000'000U);
    BOOST_TEST(first->getValue<bool>("writing"));
    BOOST_TEST(first->isNull("error"));
    BOOST_TEST(first->getValue<std::string>("from") == "2024-12-27T08:42:00Z");
    BOOST_TEST(first->getValue<std::string>("until") == "2024-12-27T10:42:00Z");
    BOOST_TEST(first->getArray("spans")->size() == 2u);
    const auto second = tapes->getObject(1);
    BOOST_TEST(!second->getValue<bool>("writing"));
    BOOST_TEST(second->getValue<std::string>("error") == stopped.error);
    // No talks: the rows are the tapes' rooms.
    const auto svg = status->getValue<std::string>("timeline");
    BOOST_TEST(svg.find("<g class=\"room-row\" data-room=\"Saal 2\">") != std::string::npos, svg);
    BOOST_TEST(svg.find("tape of Saal 2: 1 piece, 0 B, stopped: The room&#39;s tape stopped") !=
                   std::string::npos,
               svg);
}

BOOST_FIXTURE_TEST_CASE(servesRangesOfAGrowingFile, Fixture) {
    const auto file = out / "Saal 1" / "talk.ts.part";
    const auto start = pattern(1000, 'a');
    writeFile(file, start);
    const std::string url = "/recordings/Saal%201/talk.ts.part";

    auto whole = fetch(port(), url);
    BOOST_TEST(whole.status == 200);
    BOOST_TEST(whole.header("Accept-Ranges") == "bytes");
    BOOST_TEST(whole.header("Content-Type") == "video/mp2t");
    BOOST_TEST(whole.header("Content-Length") == "1000");
    BOOST_TEST(whole.body == start);

    auto head = fetch(port(), "/recordings/Saal%201/talk.ts.part", {}, "HEAD");
    BOOST_TEST(head.status == 200);
    BOOST_TEST(head.header("Content-Length") == "1000");
    BOOST_TEST(head.body.empty());

    auto part = fetch(port(), url, {{"Range", "bytes=0-99"}});
    BOOST_TEST(part.status == 206);
    BOOST_TEST(part.header("Content-Range") == "bytes 0-99/1000");
    BOOST_TEST(part.header("Content-Length") == "100");
    BOOST_TEST(part.body == start.substr(0, 100));

    part = fetch(port(), url, {{"Range", "bytes=990-5000"}});
    BOOST_TEST(part.status == 206);
    BOOST_TEST(part.header("Content-Range") == "bytes 990-999/1000");
    BOOST_TEST(part.body == start.substr(990));

    part = fetch(port(), url, {{"Range", "bytes=-10"}});
    BOOST_TEST(part.status == 206);
    BOOST_TEST(part.header("Content-Range") == "bytes 990-999/1000");
    BOOST_TEST(part.body == start.substr(990));

    auto past = fetch(port(), url, {{"Range", "bytes=1000-"}});
    BOOST_TEST(past.status == 416);
    BOOST_TEST(past.header("Content-Range") == "bytes */1000");
    BOOST_TEST(past.body.empty());

    // The recording goes on: the new bytes are there on the next request.
    const auto more = pattern(500, 'A');
    writeFile(file, more, std::ios::app);
    part = fetch(port(), url, {{"Range", "bytes=1000-"}});
    BOOST_TEST(part.status == 206);
    BOOST_TEST(part.header("Content-Range") == "bytes 1000-1499/1500");
    BOOST_TEST(part.body == more);
    past = fetch(port(), url, {{"Range", "bytes=1500-1600"}});
    BOOST_TEST(past.status == 416);
    BOOST_TEST(past.header("Content-Range") == "bytes */1500");

    // Several ranges, or nonsense, get the whole file.
    auto multi = fetch(port(), url, {{"Range", "bytes=0-1,5-6"}});
    BOOST_TEST(multi.status == 200);
    BOOST_TEST(multi.body == start + more);
    BOOST_TEST(fetch(port(), url, {{"Range", "bytes=9-2"}}).status == 200);
    BOOST_TEST(fetch(port(), url, {{"Range", "items=0-1"}}).status == 200);
}

BOOST_FIXTURE_TEST_CASE(namesTheContentType, Fixture) {
    const std::map<std::string, std::string> types{
        {"a.ts", "video/mp2t"},
        {"a.webm", "video/webm"},
        {"a.webm.part", "video/webm"},
        {"a.mp3", "audio/mpeg"},
        {"a.json", "application/json"},
        {"a.mkv", "video/x-matroska"},
        {"a.bin", "application/octet-stream"},
    };
    for (const auto& [name, type] : types) {
        writeFile(out / name, "x");
        BOOST_TEST(fetch(port(), "/recordings/" + name).header("Content-Type") == type, name);
    }
}

BOOST_FIXTURE_TEST_CASE(neverServesAnythingOutsideTheFolder, Fixture) {
    const std::string secret = "TOP SECRET outside the output folder";
    const std::string state = "journal of the run";
    writeFile(folder.path / "secret.txt", secret);
    writeFile(out / "ok.ts", "fine");
    writeFile(out / ".confcap" / "state.json", state);
    writeFile(out / ".confcap" / "summary.json", "{}");
    fs::create_directory_symlink(folder.path, out / "dirlink");
    fs::create_symlink("../secret.txt", out / "evil.ts");
    fs::create_symlink(folder.path / "secret.txt", out / "absolute.ts");
    fs::create_symlink("ok.ts", out / "alias.ts");
    fs::create_symlink(".confcap/state.json", out / "statelink.json");
    fs::create_directory_symlink(out / ".confcap", out / "books");

    // Watch the secret: the server must not even open it.
    const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    BOOST_REQUIRE(watch >= 0);
    BOOST_REQUIRE(
        ::inotify_add_watch(watch, (folder.path / "secret.txt").c_str(), IN_OPEN | IN_ACCESS) >= 0);

    const std::vector<std::pair<std::string, int>> refused{
        {"/recordings/../secret.txt", 403},
        {"/recordings/%2e%2e/secret.txt", 403},
        {"/recordings/%2E%2E/secret.txt", 403},
        {"/recordings/.%2e/secret.txt", 403},
        {"/recordings/..%2fsecret.txt", 403},
        {"/recordings/..%2Fsecret.txt", 403},
        {"/recordings/%2e%2e%2fsecret.txt", 403},
        {"/recordings/..%5csecret.txt", 403},
        {"/recordings/ok.ts/../../secret.txt", 403},
        {"/recordings//etc/passwd", 403},
        {"/recordings/%2fetc%2fpasswd", 403},
        {"/recordings/%2Fetc/passwd", 403},
        {"/recordings/%00secret.txt", 403},
        {"/recordings/ok.ts%00.txt", 403},
        {"/recordings/evil.ts", 403},
        {"/recordings/absolute.ts", 403},
        {"/recordings/dirlink/secret.txt", 403},
        {"/recordings/./ok.ts", 403},
        {"/recordings/%2", 400},
        {"/recordings/%252e%252e/secret.txt", 404},
        {"/recordings/", 404},
        {"/recordings/dirlink", 403},
        {"/recordings/.confcap/state.json", 404},
        {"/recordings/%2Econfcap/state.json", 404},
        {"/recordings/statelink.json", 404},
        {"/recordings/books/state.json", 404},
        {"/recordings/.confcap", 404},
        {"/recordings/nothing.ts", 404},
        {"/../secret.txt", 404},
        {"/etc/passwd", 404},
    };
    for (const auto& [uri, expected] : refused) {
        for (const auto* method : {"GET", "HEAD"}) {
            const auto response = fetch(port(), uri, {{"Range", "bytes=0-"}}, method);
            BOOST_TEST(response.status == expected, method << " " << uri);
            BOOST_TEST(response.body.find(secret) == std::string::npos, uri);
            BOOST_TEST(response.body.find(state) == std::string::npos, uri);
        }
    }
    inotify_event events[16];
    BOOST_TEST(::read(watch, events, sizeof events) < 0, "the secret file was opened");

    // What is inside is served, symlinks inside included.
    BOOST_TEST(fetch(port(), "/recordings/ok.ts").body == "fine");
    BOOST_TEST(fetch(port(), "/recordings/alias.ts").body == "fine");
    BOOST_TEST(fetch(port(), "/recordings/.confcap/summary.json").body == "{}");
    BOOST_TEST(fetch(port(), "/summary.json").body == "{}");

    // The watch does see an open, so the check above could fail.
    std::ifstream(folder.path / "secret.txt").get();
    BOOST_TEST(::read(watch, events, sizeof events) > 0);
    ::close(watch);
}

BOOST_FIXTURE_TEST_CASE(isReadOnly, Fixture) {
    for (const auto* method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
        const auto response = fetch(port(), "/api/status", {}, method);
        BOOST_TEST(response.status == 405, method);
        BOOST_TEST(response.header("Allow") == "GET, HEAD");
    }
    BOOST_TEST(fetch(port(), "/nothing").status == 404);
    for (const auto* uri : {"/", "/api/status"}) {
        const auto head = fetch(port(), uri, {}, "HEAD");
        BOOST_TEST(head.status == 200, uri);
        BOOST_TEST(head.body.empty(), uri);
        BOOST_TEST(std::stoul(head.header("Content-Length")) > 100u, uri);
    }
}

BOOST_FIXTURE_TEST_CASE(refusesForeignHostNamesOnLoopback, Fixture) {
    BOOST_TEST(fetch(port(), "/api/status", {{"Host", "evil.example:80"}}).status == 403);
    BOOST_TEST(fetch(port(), "/api/status", {{"Host", "localhost:1234"}}).status == 200);
    BOOST_TEST(fetch(port(), "/api/status", {{"Host", "[::1]:1234"}}).status == 200);
    // An absolute-form target names its host too.
    BOOST_TEST(fetch(port(), "http://evil.example/api/status", {{"Host", "127.0.0.1"}}).status ==
               403);
    BOOST_TEST(fetch(port(), "http://evil.example:80", {{"Host", "127.0.0.1"}}).status == 403);
    BOOST_TEST(
        fetch(port(), "http://127.0.0.1@evil.example/api/status", {{"Host", "127.0.0.1"}}).status ==
        403);
    BOOST_TEST(fetch(port(), "http://127.0.0.1:8080/api/status", {{"Host", "127.0.0.1"}}).status ==
               200);
}

BOOST_FIXTURE_TEST_CASE(thePageEscapesWhatItShows, Fixture) {
    auto job = waitingJob();
    job.title = "<script>alert(1)</script>";
    job.mark.talk = "10:30 <script>alert(1)</script>";
    job.state = JobState::Recorded;
    job.file = "Saal 1/a&b.ts";
    board.update(job);
    const auto page = fetch(port(), "/");
    BOOST_TEST(page.status == 200);
    BOOST_TEST(page.header("Content-Type") == "text/html; charset=utf-8");
    const auto csp = page.header("Content-Security-Policy");
    const auto at = csp.find("'nonce-");
    BOOST_REQUIRE(at != std::string::npos);
    const auto nonce = csp.substr(at + 7, csp.find('\'', at + 7) - at - 7);
    BOOST_TEST(page.body.find("<script nonce=\"" + nonce + "\">") != std::string::npos);
    BOOST_TEST(page.body.find("<script>alert") == std::string::npos);
    BOOST_TEST(page.body.find("</script>alert") == std::string::npos);
    BOOST_TEST(page.body.find("10:30 &lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    BOOST_TEST(page.body.find("href=\"/recordings/Saal%201/a%26b.ts\"") != std::string::npos);
    BOOST_TEST(page.body.find("http://") == std::string::npos);  // no external assets
    BOOST_TEST(page.body.find("https://") == std::string::npos);
    // Each page gets a fresh nonce.
    BOOST_TEST(fetch(port(), "/").header("Content-Security-Policy") != csp);
}

BOOST_AUTO_TEST_CASE(aPortInUseIsAUsageError) {
    StatusBoard board;
    confcap::core::SystemClock clock;
    StatusServer first(board, clock, {});
    StatusServer::Options options;
    options.port = first.port();
    BOOST_CHECK_THROW(StatusServer(board, clock, options), confcap::core::UsageError);
    options.port = 0;
    options.bind = "256.1.1.1";
    BOOST_CHECK_THROW(StatusServer(board, clock, options), confcap::core::UsageError);
    BOOST_TEST(first.url("/api/status") ==
               "http://127.0.0.1:" + std::to_string(first.port()) + "/api/status");
}

BOOST_AUTO_TEST_SUITE_END()
