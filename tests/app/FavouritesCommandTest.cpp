#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "confcap/core/Text.h"
#include "confcap/core/Time.h"
#include "confcap/demo/LoopbackServer.h"
#include "support/ChildProcess.h"
#include "support/RunProcess.h"
#include "support/TempDir.h"
#include "support/TestData.h"

BOOST_AUTO_TEST_SUITE(FavouritesCommandTest)

using confcap::testing::runConfcap;
using confcap::testing::TempDir;
using confcap::testing::testData;
using confcap::testing::testDataPath;

namespace {

const std::string k38c3 = testDataPath("schedules/38c3-fahrplan-20251206.xml");
const std::string kStreams = "--stream-template=http://127.0.0.1:9/{room_slug}.m3u8";

Poco::JSON::Object::Ptr parseJson(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::vector<std::string> listedTitles(const std::string& json) {
    std::vector<std::string> titles;
    const auto talks = parseJson(json)->getArray("talks");
    for (std::size_t i = 0; i < talks->size(); ++i) {
        titles.push_back(
            talks->getObject(static_cast<unsigned>(i))->getValue<std::string>("title"));
    }
    return titles;
}

/// A one-room frab schedule whose talks g1..gN (titles "Talk 1".."Talk N") start tomorrow.
std::string tomorrowsSchedule(int talks) {
    const auto start = std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now()) +
                       std::chrono::hours(24);
    std::string xml =
        "<schedule><conference><title>Favourite Con</title><time_zone_name>UTC</time_zone_name>"
        "</conference><day index=\"1\" date=\"2030-01-01\"><room name=\"Main\">";
    for (int i = 1; i <= talks; ++i) {
        const auto at = std::chrono::floor<std::chrono::seconds>(start + std::chrono::hours(i));
        xml += "<event id=\"" + std::to_string(i) + "\" guid=\"g" + std::to_string(i) +
               "\"><date>" + confcap::core::formatUtc(at) +
               "</date><duration>00:30</duration><title>Talk " + std::to_string(i) +
               "</title></event>";
    }
    return xml + "</room></day></schedule>";
}

void writeText(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file) << text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(planShowsWhichFavouriteBecameWhichJob) {
    TempDir dir;
    const std::vector<std::string> args{"plan",         "--schedule",
                                        k38c3,          kStreams,
                                        "--out",        (dir.path / "out").string(),
                                        "--favourites", testDataPath("favourites/38c3-frab.ics"),
                                        "--favourites", testDataPath("favourites/38c3-ids.txt")};
    auto r = runConfcap(args);
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(
        contains(r.out,
                 "Favourites: 8 entries naming 3 talks, 3 of them recorded; 1 entry names no talk"),
        r.out);
    BOOST_TEST(contains(r.out, "by guid"), r.out);
    BOOST_TEST(contains(r.out, "the same talk as"), r.out);
    // The entry that names no talk is a warning with the closest ids, and a line of the table.
    BOOST_TEST(contains(r.err,
                        "38c3-ids.txt line 9 ('fosdem-2025-4242-unknown-talk') names no "
                        "talk of the schedule"),
               r.err);
    BOOST_TEST(contains(r.out, "not recorded: no such talk in the schedule"), r.out);

    auto json = args;
    json.emplace_back("--json");
    r = runConfcap(json);
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    const auto root = parseJson(r.out);
    BOOST_TEST(root->getArray("jobs")->size() == 3U);
    const auto favourites = root->getArray("favourites");
    BOOST_REQUIRE(favourites->size() == 8U);
    const auto first = favourites->getObject(0);
    BOOST_TEST(first->getValue<std::string>("talk") == "270fa44c-821a-577f-8ca3-33e8d4a8c2a7");
    BOOST_TEST(first->getValue<std::string>("matched_by") == "guid");
    BOOST_TEST(first->getValue<std::string>("file") ==
               "2024-12-27/Saal 1/1030 38C3: Opening Ceremony.ts");
    BOOST_TEST(first->get("why").isEmpty());
    const auto unknown = favourites->getObject(7);
    BOOST_TEST(unknown->get("talk").isEmpty());
    BOOST_TEST(contains(unknown->getValue<std::string>("why"), "no such talk"));
}

BOOST_AUTO_TEST_CASE(aFavouriteOutsideTheOtherRulesSaysWhy) {
    TempDir dir;
    const auto r = runConfcap({"plan", "--schedule", k38c3, kStreams, "--out",
                               (dir.path / "out").string(), "--favourites",
                               testDataPath("favourites/38c3-frab.ics"), "--match", "iridium"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(contains(r.out, "Favourites: 3 entries naming 2 talks, 1 of them recorded"), r.out);
    BOOST_TEST(contains(r.out, "not recorded: no --match pattern matches"), r.out);
}

BOOST_AUTO_TEST_CASE(aGiggityLinkNamesItsSchedule) {
    const auto body = testData("schedules/38c3-fahrplan-20251206.xml");
    std::atomic<int> requests{0};
    confcap::demo::LoopbackServer server(
        [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            ++requests;
            response.setContentType("application/xml");
            response.send() << body;
        });
    // The app's own link, pointed at the loopback copy of the schedule.
    const auto link = std::string(confcap::core::trimmed(testData("favourites/38c3-giggity.txt")));
    std::string scheduleUrl;
    Poco::URI::encode(server.url("/schedule.xml"), "/:?&=", scheduleUrl);
    const auto see = link.substr(link.find("&see="));
    TempDir cache;
    const auto r =
        runConfcap({"list", "--favourites", "https://ggt.gaa.st/#url=" + scheduleUrl + see,
                    "--cache-dir", cache.path.string(), "--json"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(listedTitles(r.out) ==
               (std::vector<std::string>{"38C3: Opening Ceremony",
                                         "Investigating the Iridium Satellite Network",
                                         "KLARHEIT ALS WAFFE"}));
    BOOST_TEST(requests.load() == 1);
}

BOOST_AUTO_TEST_CASE(servedFavouritesAreCachedAndSurviveAnOutage) {
    const auto ids = testData("favourites/38c3-ids.txt");
    std::atomic<bool> up{true};
    confcap::demo::LoopbackServer server(
        [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            if (!up) {
                response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
                response.send();
                return;
            }
            response.setContentType("text/plain");
            response.send() << ids;
        });
    TempDir cache;
    const std::vector<std::string> args{
        "list",        "--schedule",        k38c3,   "--favourites", server.url("/my-talks.txt"),
        "--cache-dir", cache.path.string(), "--json"};
    auto r = runConfcap(args);
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(listedTitles(r.out).size() == 3U);
    up = false;
    r = runConfcap(args);
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(listedTitles(r.out).size() == 3U);
    BOOST_TEST(contains(r.err, "cache"), r.err);
}

BOOST_AUTO_TEST_CASE(badListsAreOneSentenceWithTheirExitCode) {
    TempDir dir;
    const auto unknown = dir.path / "unknown.txt";
    writeText(unknown, "no-such-talk\n");
    auto r = runConfcap({"list", "--schedule", k38c3, "--favourites", unknown.string()});
    BOOST_TEST(r.exitCode == 64, r.err);
    BOOST_TEST(contains(r.err, "No entry of the --favourites names a talk of this schedule."),
               r.err);
    BOOST_TEST(contains(r.err, "('no-such-talk') names no talk"), r.err);

    const auto garbage = dir.path / "garbage.json";
    writeText(garbage, "{\"lectures\": [");
    r = runConfcap({"list", "--schedule", k38c3, "--favourites", garbage.string()});
    BOOST_TEST(r.exitCode == 65, r.err);
    BOOST_TEST(contains(r.err, "The favourites list " + garbage.string() + " cannot be read"),
               r.err);

    r = runConfcap(
        {"list", "--schedule", k38c3, "--favourites", (dir.path / "missing.ics").string()});
    BOOST_TEST(r.exitCode == 66, r.err);

    // Two talks share the id 7: the entry is refused, naming both.
    const auto merged = dir.path / "merged.xml";
    writeText(
        merged,
        "<schedule><conference><title>M</title><time_zone_name>UTC</time_zone_name></conference>"
        "<day index=\"1\" date=\"2030-01-01\"><room name=\"A\"><event id=\"7\" guid=\"ga\">"
        "<date>2030-01-01T10:00:00Z</date><duration>00:30</duration><title>Keynote</title>"
        "</event></room><room name=\"B\"><event id=\"7\" guid=\"gb\"><date>2030-01-01T11:00:00Z"
        "</date><duration>00:30</duration><title>Workshop</title></event></room></day>"
        "</schedule>");
    const auto seven = dir.path / "seven.txt";
    writeText(seven, "7\n");
    r = runConfcap({"list", "--schedule", merged.string(), "--favourites", seven.string()});
    BOOST_TEST(r.exitCode == 65, r.err);
    BOOST_TEST(contains(r.err, "names 2 talks of the schedule: 'Keynote' (A"), r.err);
}

// record re-reads the favourites with the schedule: a talk starred during the run is added, an
// entry that stops naming a talk is logged once.
BOOST_AUTO_TEST_CASE(recordFollowsTheFavouritesWhileRunning) {
    TempDir dir;
    const auto schedule = dir.path / "schedule.xml";
    writeText(schedule, tomorrowsSchedule(3));
    const auto favourites = dir.path / "favourites.txt";
    writeText(favourites, "g1\n");
    confcap::testing::ChildProcess record(
        CONFCAP_BINARY,
        {"record", "--schedule", schedule.string(), "--favourites", favourites.string(), "--stream",
         "Main=http://127.0.0.1:9/main.m3u8", "--refresh", "1s", "--out",
         (dir.path / "out").string(), "--no-health"},
        dir.path);
    // Polls the log until `text` is in it `times` times (as long as confcap runs, at most 20 s).
    const auto waitFor = [&](const std::string& text, std::size_t times = 1) {
        const auto seen = [&] {
            const auto log = record.out() + record.err();
            std::size_t count = 0;
            for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) {
                ++count;
            }
            return count >= times;
        };
        for (int i = 0; i < 200 && record.running() && !seen(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return seen();
    };
    BOOST_TEST_REQUIRE(waitFor("1 talk to record"), record.err());
    writeText(favourites, "g1\ng2\ngone\n");
    BOOST_TEST(waitFor("the schedule changed: 1 added"), record.err());
    BOOST_TEST(waitFor("('gone') names no talk of the schedule"), record.err());
    // A list that cannot be read leaves the last good one in force, and says so once.
    std::filesystem::remove(favourites);
    BOOST_TEST(waitFor("the favourites read before stay in force"), record.err());
    // Had the unreadable list dropped the talks, starring a third would add three.
    writeText(favourites, "g1\ng2\ng3\n");
    BOOST_TEST(waitFor("the schedule changed: 1 added, 0 changed, 0 cancelled", 2), record.err());
    record.signal(SIGINT);
    BOOST_TEST(record.wait(std::chrono::seconds(20)).has_value());
    const auto log = record.out() + record.err();
    // The summary holds the three starred talks (none began before the run stopped).
    BOOST_TEST(contains(log, "Summary: 3 cancelled (3 talks"), log);
    // Logged once, though every refresh reads the list again.
    const auto first = log.find("('gone') names no talk");
    BOOST_TEST(log.find("('gone') names no talk", first + 1) == std::string::npos, log);
}

BOOST_AUTO_TEST_SUITE_END()
