#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "confcap/core/Text.h"
#include "confcap/demo/FakeStreamServer.h"
#include "confcap/demo/LoopbackServer.h"
#include "confcap/run/DiskGuard.h"
#include "confcap/status/TextFormat.h"
#include "support/MediaTestSupport.h"
#include "support/RefusingPort.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(ListCommandTest)

namespace bdata = boost::unit_test::data;
using confcap::testing::runConfcap;
using confcap::testing::TempDir;

namespace {

const std::string kExample = CONFCAP_SOURCE_DIR "/schedules/example-conference.xml";
const std::string kFosdem2024 = CONFCAP_DATA_DIR "/schedules/fosdem2024-pentabarf.xml";

Poco::JSON::Object::Ptr parseJson(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::size_t lineCount(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

BOOST_AUTO_TEST_CASE(jsonFollowsTheContract) {
    const auto r = runConfcap({"list", "--schedule", kExample, "--json"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    const auto root = parseJson(r.out);
    const auto conference = root->getObject("conference");
    BOOST_TEST(conference->getValue<std::string>("acronym") == "example26");
    BOOST_TEST(conference->getValue<std::string>("time_zone") == "Europe/Berlin");
    const auto talks = root->getArray("talks");
    BOOST_REQUIRE(talks->size() == 9);
    // Sorted by start: the first is the opening at 10:30 Berlin (UTC+1).
    const auto first = talks->getObject(0);
    BOOST_TEST(first->getValue<std::string>("title") == "Opening Ceremony");
    BOOST_TEST(first->getValue<std::string>("start") == "2026-12-27T09:30:00Z");
    BOOST_TEST(first->getValue<std::string>("end") == "2026-12-27T10:00:00Z");
    BOOST_TEST(first->getValue<int>("duration") == 1800);
    BOOST_TEST(first->getValue<std::string>("room") == "Saal 1");
    BOOST_TEST(first->getArray("persons")->getElement<std::string>(0) == "Jane Doe");
    BOOST_TEST(first->getValue<bool>("do_not_record") == false);
    for (const char* key : {"id", "guid", "subtitle", "track", "type", "language", "url"}) {
        BOOST_TEST(first->has(key), key);
    }
}

/// A frab schedule with one talk in Saal 1 whose <title> element holds `titleXml`.
std::string scheduleWithTitle(const std::string& titleXml) {
    return "<schedule><conference><title>C</title><time_zone_name>Europe/Berlin</time_zone_name>"
           "</conference><day index=\"1\" date=\"2024-12-27\"><room name=\"Saal 1\">"
           "<event id=\"1\" guid=\"g1\"><date>2024-12-27T11:00:00+01:00</date>"
           "<duration>00:30</duration><title>" +
           titleXml + "</title></event></room></day></schedule>";
}

// Title bytes C3 28, ED A0 80 and FF FE went into the JSON as they were (issue 11).
BOOST_AUTO_TEST_CASE(jsonIsValidUtf8WhateverTheScheduleHolds) {
    TempDir dir;
    const auto file = dir.path / "bad-utf8.xml";
    std::ofstream(file) << scheduleWithTitle(
        "a\xC3\x28"
        "b\xED\xA0\x80"
        "c\xFF\xFE");
    const auto r = runConfcap({"list", "--schedule", file.string(), "--json"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(confcap::core::toValidUtf8(r.out) == r.out);
    const auto title =
        parseJson(r.out)->getArray("talks")->getObject(0)->getValue<std::string>("title");
    BOOST_TEST(title.find("a\xEF\xBF\xBD(b") == 0u, title);
    BOOST_TEST(title.find("c\xEF\xBF\xBD") != std::string::npos, title);
}

// Both crashed with exit 139, a stack overflow (issue 11).
BOOST_AUTO_TEST_CASE(hostileTitlesAreListed) {
    TempDir dir;
    std::string open;
    std::string close;
    for (int i = 0; i < 200000; ++i) {
        open += "<i>";
        close += "</i>";
    }
    const auto deep = dir.path / "deep.xml";
    std::ofstream(deep) << scheduleWithTitle(open + "Deep" + close);
    const auto deepRun = runConfcap({"list", "--schedule", deep.string(), "--json"});
    BOOST_TEST(deepRun.exitCode == 0, deepRun.err);
    BOOST_TEST(deepRun.out.find("\"Deep\"") != std::string::npos);

    const auto longTitle = dir.path / "long.xml";
    std::ofstream(longTitle) << scheduleWithTitle(std::string(64 * 1024, 'A'));
    const auto matched = runConfcap({"list", "--schedule", longTitle.string(), "--match", "a.*b"});
    BOOST_TEST(matched.exitCode == 64, matched.err);
    BOOST_TEST(matched.err ==
               "confcap: No talk's title, subtitle or speakers match --match 'a.*b'.\n");
    const auto excluded =
        runConfcap({"list", "--schedule", longTitle.string(), "--exclude", "a.*b"});
    BOOST_TEST(excluded.exitCode == 0, excluded.err);
    BOOST_TEST(excluded.out.find("1 talk") != std::string::npos, excluded.out);
}

// std::regex backtracked for good on this pattern and title; a backreference was undefined
// behaviour in its compiler (issue 28).
BOOST_AUTO_TEST_CASE(aPatternNeverHangsTheRunAndARefusedOneIsOneSentence) {
    TempDir dir;
    const auto file = dir.path / "aaa.xml";
    std::ofstream(file) << scheduleWithTitle(std::string(40, 'a') + "!");
    const auto started = std::chrono::steady_clock::now();
    const auto nested = runConfcap({"list", "--schedule", file.string(), "--match", "(a+)+$"});
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(nested.exitCode == 64, nested.err);
    BOOST_TEST(nested.err ==
               "confcap: No talk's title, subtitle or speakers match --match '(a+)+$'.\n");
    BOOST_TEST(took < std::chrono::seconds(5));
    const auto backreference =
        runConfcap({"list", "--schedule", file.string(), "--exclude", "(a)\\1"});
    BOOST_TEST(backreference.exitCode == 64, backreference.err);
    BOOST_TEST(backreference.err.starts_with(
                   "confcap: --exclude '(a)\\1' is not a pattern confcap accepts ("),
               backreference.err);
    BOOST_TEST(backreference.err.find("no backreferences") != std::string::npos);
    BOOST_TEST(std::count(backreference.err.begin(), backreference.err.end(), '\n') == 1);
}

BOOST_AUTO_TEST_CASE(tableGroupsByDayInConferenceTime) {
    const auto r = runConfcap({"list", "--schedule", kExample});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(r.out.find("times in Europe/Berlin") != std::string::npos);
    BOOST_TEST(r.out.find("Day 1, Sunday 2026-12-27") != std::string::npos);
    BOOST_TEST(r.out.find("Day 2, Monday 2026-12-28") != std::string::npos);
    // The talk after midnight stays with its evening: it is listed before day 2 begins.
    const auto lateTalk = r.out.find("00:45  Saal ZIGZAG");
    BOOST_TEST(lateTalk != std::string::npos);
    BOOST_TEST(lateTalk < r.out.find("Day 2"));
    BOOST_TEST(r.out.find("10:30  Saal 1") != std::string::npos);

    const auto utc = runConfcap({"list", "--schedule", kExample, "--utc"});
    BOOST_TEST(utc.out.find("09:30  Saal 1") != std::string::npos);
    BOOST_TEST(utc.out.find("times in UTC") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tableLinesFitOneHundredColumns) {
    const auto r = runConfcap(
        {"list", "--schedule", CONFCAP_DATA_DIR "/schedules/38c3-fahrplan-20251206.xml"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    std::istringstream lines(r.out);
    std::string line;
    std::size_t talks = 0;
    while (std::getline(lines, line)) {
        BOOST_TEST(confcap::status::displayWidth(line) <= 100U, line);
        talks += line.rfind("  ", 0) == 0 ? 1U : 0U;
    }
    BOOST_TEST(talks == 1007U);
}

BOOST_AUTO_TEST_CASE(selectionOptionsFilter) {
    auto r = runConfcap({"list", "--schedule", kExample, "--json", "--room", "saal glitch"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(parseJson(r.out)->getArray("talks")->size() == 3U);

    r = runConfcap({"list", "--schedule", kExample, "--json", "--day", "2", "--match", "keynote"});
    const auto talks = parseJson(r.out)->getArray("talks");
    BOOST_REQUIRE(talks->size() == 1U);
    BOOST_TEST(talks->getObject(0)->getValue<std::string>("title") == "Closing Keynote 🎉");

    r = runConfcap({"list", "--schedule", kExample, "--json", "--exclude", "lightning|retro",
                    "--day", "2026-12-27"});
    BOOST_TEST(parseJson(r.out)->getArray("talks")->size() == 5U);
}

BOOST_AUTO_TEST_CASE(fosdemNeedsAndUsesTheGivenZone) {
    auto r = runConfcap({"list", "--schedule", kFosdem2024, "--json"});
    BOOST_TEST(r.exitCode == 65);
    BOOST_TEST(r.err.find("--timezone") != std::string::npos, r.err);
    BOOST_TEST(lineCount(r.err) == 1U);

    r = runConfcap({"list", "--schedule", kFosdem2024, "--timezone", "Europe/Brussels", "--json"});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    const auto talks = parseJson(r.out)->getArray("talks");
    BOOST_TEST(talks->size() == 674U);
    // Talk 10916 is listed on day 2 (2024-02-04) at <start>09:30</start>, Brussels time (UTC+1).
    bool found = false;
    for (unsigned i = 0; i < talks->size(); ++i) {
        const auto talk = talks->getObject(i);
        if (talk->getValue<std::string>("id") == "10916") {
            found = true;
            BOOST_TEST(talk->getValue<std::string>("start") == "2024-02-04T08:30:00Z");
            BOOST_TEST(talk->getValue<std::string>("room") == "K.3.201");
        }
    }
    BOOST_TEST(found);
}

struct BadCall {
    std::vector<std::string> args;
    int exitCode;
    const char* mentions;
};
std::ostream& operator<<(std::ostream& os, const BadCall& c) {
    for (const auto& a : c.args) {
        os << a << ' ';
    }
    return os;
}

BOOST_DATA_TEST_CASE(
    badInputGetsOneSentenceAndItsExitCode,
    bdata::make(std::vector<BadCall>{
        {{"list", "--schedule", kExample, "--frobnicate"}, 64, "frobnicate"},
        {{"list"}, 64, "--schedule"},
        {{"list", "--schedule", kExample, "--timezone", "Mars/Olympus"}, 64, "Mars/Olympus"},
        {{"list", "--schedule", kExample, "--match", "(unclosed"}, 64, "--match"},
        {{"list", "--schedule", kExample, "--day", "monday"}, 64, "monday"},
        {{"list", "--schedule", "/nonexistent/schedule.xml"}, 66, "/nonexistent/schedule.xml"},
        {{"list", "--schedule", "/etc/hostname"}, 65, "/etc/hostname"},
        {{"frobnicate"}, 64, "frobnicate"},
        {{"list", "--schedule", kExample, "--config", "/nonexistent.ini"}, 78, "/nonexistent.ini"},
    }),
    call) {
    const auto r = runConfcap(call.args);
    BOOST_TEST(r.exitCode == call.exitCode, r.err);
    BOOST_TEST(r.err.find(call.mentions) != std::string::npos, r.err);
    BOOST_TEST(lineCount(r.err) == 1U, r.err);
    BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(urlFailuresAreReported) {
    TempDir cache;
    confcap::demo::LoopbackServer server(
        [](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
            if (request.getURI() == "/html") {
                response.setContentType("text/html");
                response.send() << "<!DOCTYPE html><html><body>Login required</body></html>";
                return;
            }
            response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            response.send() << "not here";
        });
    const std::vector<std::string> common = {"--cache-dir", cache.path.string()};
    auto args = std::vector<std::string>{"list", "--schedule", server.url("/missing.xml")};
    args.insert(args.end(), common.begin(), common.end());
    auto r = runConfcap(args);
    BOOST_TEST(r.exitCode == 69, r.err);
    BOOST_TEST(r.err.find("404") != std::string::npos, r.err);

    args[2] = server.url("/html");
    r = runConfcap(args);
    BOOST_TEST(r.exitCode == 65, r.err);
    BOOST_TEST(r.err.find("HTML") != std::string::npos, r.err);

    // A port nobody listens on.
    const confcap::testing::RefusingPort refusing;
    args[2] = "http://127.0.0.1:" + std::to_string(refusing.port()) + "/schedule.xml";
    r = runConfcap(args);
    BOOST_TEST(r.exitCode == 69, r.err);
    BOOST_TEST(r.err.find(args[2]) != std::string::npos, r.err);
    BOOST_TEST(lineCount(r.err) == 1U, r.err);
}

BOOST_AUTO_TEST_CASE(brokenFilesAreReportedWithTheirName) {
    TempDir dir;
    const auto empty = dir.path / "empty.xml";
    std::ofstream(empty).flush();
    std::ifstream in(kExample);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto truncated = dir.path / "truncated.xml";
    std::ofstream(truncated) << text.substr(0, text.size() / 2);
    for (const auto& file : {empty, truncated}) {
        const auto r = runConfcap({"list", "--schedule", file.string()});
        BOOST_TEST(r.exitCode == 65, r.err);
        BOOST_TEST(r.err.find(file.string()) != std::string::npos, r.err);
        BOOST_TEST(lineCount(r.err) == 1U, r.err);
    }
    const auto r = runConfcap({"list", "--schedule", truncated.string()});
    BOOST_TEST(r.err.find("line") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(untrustedCertificateIsRefusedUnlessItsCaIsGiven) {
    TempDir cache;
    std::ifstream in(kExample);
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string tls = CONFCAP_SOURCE_DIR "/tests/data/tls/";
    confcap::demo::LoopbackServer server(
        [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            response.send() << body;
        },
        {tls + "localhost.crt", tls + "localhost.key"});
    std::vector<std::string> args = {
        "list",        "--schedule",        server.url("/schedule.xml"),
        "--cache-dir", cache.path.string(), "--json"};
    auto r = runConfcap(args);
    BOOST_TEST(r.exitCode == 69, r.err);
    BOOST_TEST(r.err.find("certificate") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("--ca-file") != std::string::npos, r.err);
    BOOST_TEST(lineCount(r.err) == 1U, r.err);

    args.insert(args.end(), {"--ca-file", tls + "localhost.crt"});
    r = runConfcap(args);
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(parseJson(r.out)->getArray("talks")->size() == 9U);
}

BOOST_AUTO_TEST_CASE(servedScheduleIsListedAndCached) {
    TempDir cache;
    std::ifstream in(kExample);
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::atomic<bool> up{true};
    confcap::demo::LoopbackServer server(
        [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            if (!up) {
                response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
                response.send();
                return;
            }
            response.setContentType("application/xml");
            response.set("ETag", "\"v1\"");
            response.send() << body;
        });
    const std::vector<std::string> args = {
        "list",        "--schedule",        server.url("/schedule.xml"),
        "--cache-dir", cache.path.string(), "--json"};
    auto r = runConfcap(args);
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(parseJson(r.out)->getArray("talks")->size() == 9U);

    up = false;  // the server fails: the cached copy is used, and the user is told so
    r = runConfcap(args);
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(parseJson(r.out)->getArray("talks")->size() == 9U);
    BOOST_TEST(r.err.find("cache") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(configFileSuppliesOptions) {
    TempDir dir;
    const auto ini = dir.path / "confcap.ini";
    std::ofstream(ini) << "schedule = " << kExample
                       << "\nroom = Saal 1\nroom.2 = Saal ZIGZAG\njson = true\n";
    auto r = runConfcap({"list", "--config", ini.string()});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(parseJson(r.out)->getArray("talks")->size() == 6U);  // 4 in Saal 1, 2 in ZIGZAG

    // The command line wins over the file.
    r = runConfcap({"list", "--config", ini.string(), "--room", "Saal GLITCH"});
    BOOST_TEST(parseJson(r.out)->getArray("talks")->size() == 3U);

    std::ofstream(ini) << "schedule = " << kExample << "\nspeed = fast\n";
    r = runConfcap({"list", "--config", ini.string()});
    BOOST_TEST(r.exitCode == 78);
    BOOST_TEST(r.err.find("speed") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(helpAndVersion) {
    auto r = runConfcap({"--help"});
    BOOST_TEST(r.exitCode == 0);
    BOOST_TEST(r.out.find("list") != std::string::npos);
    BOOST_TEST(r.out.find("Exit codes") != std::string::npos);
    r = runConfcap({"list", "--help"});
    BOOST_TEST(r.exitCode == 0);
    BOOST_TEST(r.out.find("--timezone ZONE") != std::string::npos);
    BOOST_TEST(r.out.find("--match REGEX") != std::string::npos);
    r = runConfcap({"--version"});
    BOOST_TEST(r.exitCode == 0);
    BOOST_TEST(r.out.rfind("confcap ", 0) == 0);
    r = runConfcap({"list", "--version"});
    BOOST_TEST(r.exitCode == 0);
}

// FOSDEM 2024 has a "Rust devroom" track but no "Rust" one: list, plan and record say so and
// name the track that has the word, instead of printing an empty table or waiting for nothing.
BOOST_AUTO_TEST_CASE(aSelectionOfNothingNamesTheClosestNamesAndExits64) {
    TempDir dir;
    const auto out = dir.path / "recordings";
    const std::string expected =
        "confcap: No track 'Rust'; tracks with that word: 'Rust devroom'.\n";
    const std::vector<std::vector<std::string>> commands{
        {"list"},
        {"plan", "--stream", "Janson=http://127.0.0.1:9/live.m3u8"},
        {"record", "--stream", "Janson=http://127.0.0.1:9/live.m3u8", "--out", out.string()},
    };
    for (auto command : commands) {
        for (const char* option : {"--schedule", kFosdem2024.c_str(), "--timezone",
                                   "Europe/Brussels", "--track", "Rust"}) {
            command.emplace_back(option);
        }
        const auto r = runConfcap(command);
        BOOST_TEST(r.exitCode == 64, command.front() << ": " << r.err);
        BOOST_TEST(r.err == expected, command.front());
        BOOST_TEST(r.out.empty(), command.front() << ": " << r.out);
    }
    BOOST_TEST(!std::filesystem::exists(out));
}

// plan --check-streams asks each room's stream once and says what it found, as a table and as
// JSON: a live HLS room, a room whose stream is not live yet and one whose server is down.
BOOST_AUTO_TEST_CASE(planChecksEveryRoomsStreamWhenAsked) {
    confcap::demo::FakeStreamServer hall(confcap::testing::testClip(),
                                         {{"hall", confcap::demo::StreamKind::Hls}});
    confcap::demo::LoopbackServer missing(
        [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            response.send();
        });
    std::string down;
    {
        confcap::demo::LoopbackServer closed(
            [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& r) { r.send(); });
        down = closed.url("/zigzag.m3u8");
    }
    const std::vector<std::string> args{"plan",
                                        "--schedule",
                                        kExample,
                                        "--stream",
                                        "Saal 1=" + hall.url("hall"),
                                        "--stream",
                                        "Saal GLITCH=" + missing.url("/glitch.m3u8"),
                                        "--stream",
                                        "Saal ZIGZAG=" + down,
                                        "--check-streams"};
    auto jsonArgs = args;
    jsonArgs.emplace_back("--json");
    const auto json = runConfcap(jsonArgs);
    BOOST_TEST_REQUIRE(json.exitCode == 0, json.err);
    const auto streams =
        Poco::JSON::Parser().parse(json.out).extract<Poco::JSON::Object::Ptr>()->getArray(
            "streams");
    BOOST_TEST_REQUIRE(streams->size() == 3u, json.out);
    const auto entry = [&](unsigned i, const char* key) {
        return streams->getObject(i)->getValue<std::string>(key);
    };
    BOOST_TEST(entry(0, "room") == "Saal 1");
    BOOST_TEST(entry(0, "state") == "live");
    BOOST_TEST(entry(0, "summary") == "live (HLS, 2 variants, 1280x720)");
    BOOST_TEST(entry(1, "room") == "Saal GLITCH");
    BOOST_TEST(entry(1, "state") == "not live");
    BOOST_TEST(entry(1, "summary") == "not live yet (HTTP 404)");
    BOOST_TEST(entry(2, "room") == "Saal ZIGZAG");
    BOOST_TEST(entry(2, "state") == "failed");
    BOOST_TEST(entry(2, "summary") == "unreachable (connection refused)");

    // The disk forecast takes the bandwidth the live variant announces.
    const auto rooms = parseJson(json.out)->getObject("forecast")->getArray("rooms");
    BOOST_TEST_REQUIRE(rooms->size() == 3U, json.out);
    BOOST_TEST(rooms->getObject(0)->getValue<std::string>("source") == "announced");
    BOOST_TEST(rooms->getObject(0)->getValue<double>("bits_per_second") == 1'200'000);
    BOOST_TEST(rooms->getObject(1)->getValue<std::string>("source") == "assumed");

    const auto table = runConfcap(args);
    BOOST_TEST_REQUIRE(table.exitCode == 0, table.err);
    BOOST_TEST(table.out.find("Streams, checked now (3):") != std::string::npos, table.out);
    BOOST_TEST(table.out.find("not live yet (HTTP 404)") != std::string::npos, table.out);
    BOOST_TEST(table.out.find("Rates: Saal 1 1.2 Mb/s (announced), Saal GLITCH 3.0 Mb/s "
                              "(assumed), Saal ZIGZAG 3.0 Mb/s (assumed)") != std::string::npos,
               table.out);
}

BOOST_AUTO_TEST_CASE(planForecastsTheDiskAndReadsTheFreeSpaceOfOut) {
    TempDir dir;
    const auto out = dir.path / "not" / "made" / "yet";
    const std::vector<std::string> args{"plan",
                                        "--schedule",
                                        kExample,
                                        "--stream",
                                        "Saal 1=https://cdn.example/hls/s1/native_hd.m3u8",
                                        "--stream",
                                        "Saal GLITCH=https://cdn.example/radio/s2.mp3",
                                        "--out",
                                        out.string(),
                                        "--min-free",
                                        "5%"};
    auto jsonArgs = args;
    jsonArgs.emplace_back("--json");
    const auto json = runConfcap(jsonArgs);
    BOOST_TEST_REQUIRE(json.exitCode == 0, json.err);
    const auto forecast = parseJson(json.out)->getObject("forecast");
    BOOST_TEST_REQUIRE(forecast, json.out);
    // Saal 1's four windows (talks and 6 minutes of padding each) take 214 minutes at 3 Mbit/s;
    // Saal GLITCH's two (its third talk opted out) 82 minutes of audio at 192 kbit/s.
    BOOST_TEST(forecast->getValue<Poco::UInt64>("total_bytes") ==
               214ULL * 60 * 375'000 + 82ULL * 60 * 24'000);
    BOOST_TEST(forecast->getValue<Poco::UInt64>("needed_bytes") <=
               forecast->getValue<Poco::UInt64>("total_bytes"));
    const auto space = confcap::run::freeSpaceOf(dir.path)();
    BOOST_TEST(forecast->getValue<Poco::UInt64>("min_free_bytes") ==
               confcap::run::reserveBytes({std::nullopt, 5.0}, space.totalBytes));
    BOOST_TEST(forecast->getValue<Poco::UInt64>("free_bytes") > 0U);
    BOOST_TEST(forecast->getValue<bool>("fits"));
    BOOST_TEST(forecast->isNull("runs_out_at"));
    const auto rooms = forecast->getArray("rooms");
    BOOST_TEST_REQUIRE(rooms->size() == 2U);
    BOOST_TEST(rooms->getObject(1)->getValue<std::string>("room") == "Saal GLITCH");
    BOOST_TEST(rooms->getObject(1)->getValue<double>("bits_per_second") == 192'000);
    BOOST_TEST(!std::filesystem::exists(out));
    // The room tapes: each room from its first window to 30 min (--tape-bridge) past its last,
    // at least the talks' windows and a bridge each; kept 48 h.
    const auto tapeSeconds = forecast->getValue<Poco::Int64>("tape_seconds");
    BOOST_TEST(tapeSeconds >= (214 + 82 + 2 * 30) * 60);
    // On disk the tapes add only the bridges: they share the talks' files for the rest.
    BOOST_TEST(forecast->getValue<Poco::UInt64>("tape_bytes") > 0U);
    BOOST_TEST(forecast->getValue<Poco::UInt64>("tape_bytes") <
               forecast->getValue<Poco::UInt64>("total_bytes"));
    BOOST_TEST(forecast->getValue<Poco::Int64>("keep_tape_seconds") == 48 * 3600);
    auto noTape = jsonArgs;
    noTape.insert(noTape.end(), {"--keep-tape", "0"});
    const auto without = runConfcap(noTape);
    BOOST_TEST_REQUIRE(without.exitCode == 0, without.err);
    BOOST_TEST(!parseJson(without.out)->getObject("forecast")->has("tape_bytes"));

    const auto table = runConfcap(args);
    BOOST_TEST_REQUIRE(table.exitCode == 0, table.err);
    BOOST_TEST(table.out.find("\nDisk forecast: at most ") != std::string::npos, table.out);
    BOOST_TEST(table.out.find(" free on " + out.string() + " (--min-free ") != std::string::npos,
               table.out);
    BOOST_TEST(table.out.find("Room tapes (for confcap recut): ") != std::string::npos, table.out);
    BOOST_TEST(table.out.find("Rates: Saal 1 3.0 Mb/s (assumed), Saal GLITCH 192 kb/s (assumed)") !=
                   std::string::npos,
               table.out);
}

BOOST_AUTO_TEST_SUITE_END()
