// `--conference` and `confcap conferences` through the binary, against a streaming API and a
// schedule served on loopback (the 35c3 preview document with its URLs pointing at the server).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>
#include <sstream>

#include "confcap/demo/LoopbackServer.h"
#include "support/MediaTestSupport.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(ConferenceTest)

namespace bdata = boost::unit_test::data;
using confcap::testing::runConfcap;
using confcap::testing::TempDir;

namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
    }
}

Poco::JSON::Object::Ptr parseJson(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// The streaming API at /streams/v2.json, its CDN under /cdn/, the schedule at /schedule.xml.
struct FakeStreamingSite {
    std::unique_ptr<confcap::demo::LoopbackServer> server;
    std::string document;
    std::string schedule = readFile(CONFCAP_DATA_DIR "/schedules/35c3-api-rooms.xml");

    FakeStreamingSite() {
        server = std::make_unique<confcap::demo::LoopbackServer>(
            [this](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
                if (request.getURI() == "/streams/v2.json") {
                    response.setContentType("application/json");
                    response.send() << document;
                } else if (request.getURI() == "/schedule.xml") {
                    response.setContentType("application/xml");
                    response.send() << schedule;
                } else {
                    response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
                    response.send() << "not here";
                }
            });
        document = readFile(CONFCAP_DATA_DIR "/schedules/streams-35c3-preview.v2.json");
        replaceAll(document, "http://cdn.c3voc.de/", server->url("/cdn/"));
        replaceAll(document, "https://fahrplan.events.ccc.de/congress/2018/Fahrplan/schedule.xml",
                   server->url("/schedule.xml"));
    }
    std::string api() const { return server->url("/streams/v2.json"); }
};

}  // namespace

BOOST_DATA_TEST_CASE(eachKindAndLanguagePlansItsStream,
                     bdata::make({"hd", "sd", "audio", "slides", "hd", "audio", "sd"}) ^
                         bdata::make({"native", "native", "native", "native", "translated",
                                      "translated-2", "translated-2"}) ^
                         bdata::make({"hls/s1_native_hd.m3u8", "hls/s1_native_sd.m3u8",
                                      "s1_native.mp3", "hls/s1_native_slides.m3u8",
                                      "hls/s1_translated_hd.m3u8", "s1_translated-2.mp3",
                                      "hls/s1_translated-2_sd.m3u8"}),
                     kind, language, path) {
    FakeStreamingSite site;
    TempDir cache;
    const confcap::testing::ProcessResult r =
        runConfcap({"plan", "--conference", "35c3", "--room", "Adams", "--streams-api", site.api(),
                    "--stream-kind", kind, "--language", language, "--json"},
                   {{"XDG_CACHE_HOME", cache.path.string()}});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    const Poco::JSON::Array::Ptr jobs = parseJson(r.out)->getArray("jobs");
    BOOST_REQUIRE(jobs->size() == 1U);
    const Poco::JSON::Object::Ptr job = jobs->getObject(0);
    const std::string stream = job->getValue<std::string>("stream");
    BOOST_TEST(stream == site.server->url("/cdn/") + path);
    const Poco::JSON::Object::Ptr talk = job->getObject("talk");
    BOOST_TEST(talk->getValue<std::string>("room") == "Adams");
}

BOOST_AUTO_TEST_CASE(roomsOnlyOneSideHasAreReported) {
    FakeStreamingSite site;
    TempDir cache;
    const auto r = runConfcap({"plan", "--conference", "35C3", "--streams-api", site.api()},
                              {{"XDG_CACHE_HOME", cache.path.string()}});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    BOOST_TEST(r.err.find("the streaming API lists the room 'Eliza' for 35C3, which the schedule "
                          "does not have") != std::string::npos,
               r.err);
    BOOST_TEST(r.err.find("the schedule's room 'Workshop Room' has no stream in the streaming "
                          "API") != std::string::npos,
               r.err);
    BOOST_TEST(
        r.out.find("no stream for room 'Workshop Room' in " + site.api()) != std::string::npos,
        r.out);
    BOOST_TEST(r.out.find("4 talks to record") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(anExplicitStreamWinsForItsRoom) {
    FakeStreamingSite site;
    TempDir cache;
    const auto r = runConfcap({"plan", "--conference", "35c3", "--streams-api", site.api(),
                               "--stream", "adams=https://example.org/mine.m3u8", "--json"},
                              {{"XDG_CACHE_HOME", cache.path.string()}});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    const auto jobs = parseJson(r.out)->getArray("jobs");
    std::map<std::string, std::string> byRoom;
    for (unsigned i = 0; i < jobs->size(); ++i) {
        const auto job = jobs->getObject(i);
        byRoom[job->getObject("talk")->getValue<std::string>("room")] =
            job->getValue<std::string>("stream");
    }
    BOOST_TEST(byRoom["Adams"] == "https://example.org/mine.m3u8");
    BOOST_TEST(byRoom["Borg"] == site.server->url("/cdn/hls/s2_native_hd.m3u8"));
}

BOOST_AUTO_TEST_CASE(theApiUnreachableFallsBackToTheCachedCopyOrSaysSo) {
    TempDir cache;
    const std::map<std::string, std::string> env{{"XDG_CACHE_HOME", cache.path.string()}};
    std::string api;
    std::string stream;
    {
        FakeStreamingSite site;
        api = site.api();
        stream = site.server->url("/cdn/hls/s1_native_hd.m3u8");
        // The schedule is cached too, so that only the API's fallback is under test.
        const auto first = runConfcap(
            {"plan", "--conference", "35c3", "--room", "Adams", "--streams-api", api, "--json"},
            env);
        BOOST_TEST_REQUIRE(first.exitCode == 0, first.err);
    }
    // The server is gone: the cached copies serve, with a warning naming the API.
    const auto offline = runConfcap(
        {"plan", "--conference", "35c3", "--room", "Adams", "--streams-api", api, "--json"}, env);
    BOOST_TEST_REQUIRE(offline.exitCode == 0, offline.err);
    BOOST_TEST(offline.err.find(api) != std::string::npos, offline.err);
    BOOST_TEST(offline.err.find("using the copy cached at") != std::string::npos, offline.err);
    BOOST_TEST(
        parseJson(offline.out)->getArray("jobs")->getObject(0)->getValue<std::string>("stream") ==
        stream);

    // Without a cached copy: one sentence naming the URL, exit 69.
    TempDir empty;
    const auto none = runConfcap({"plan", "--conference", "35c3", "--streams-api", api},
                                 {{"XDG_CACHE_HOME", empty.path.string()}});
    BOOST_TEST(none.exitCode == 69);
    BOOST_TEST(none.err.find(api) != std::string::npos, none.err);
    BOOST_TEST(std::count(none.err.begin(), none.err.end(), '\n') == 1, none.err);
}

BOOST_AUTO_TEST_CASE(conferencesListsWhatTheApiAnnounces) {
    FakeStreamingSite site;
    TempDir cache;
    const std::map<std::string, std::string> env{{"XDG_CACHE_HOME", cache.path.string()}};
    const auto json = runConfcap({"conferences", "--streams-api", site.api(), "--json"}, env);
    BOOST_TEST_REQUIRE(json.exitCode == 0, json.err);
    const auto conferences = parseJson(json.out)->getArray("conferences");
    BOOST_REQUIRE(conferences->size() == 1U);
    const auto conference = conferences->getObject(0);
    BOOST_TEST(conference->getValue<std::string>("slug") == "35c3");
    BOOST_TEST(conference->getValue<std::string>("schedule") == site.server->url("/schedule.xml"));
    BOOST_TEST(conference->getValue<std::string>("starts") == "2018-12-27T05:00:00Z");
    const auto rooms = conference->getArray("rooms");
    BOOST_REQUIRE(rooms->size() == 5U);
    BOOST_TEST(rooms->getObject(4)->getValue<std::string>("schedulename") == "Eliza");
    BOOST_TEST(rooms->getObject(4)->getValue<std::string>("stream") == "s4");

    const auto table = runConfcap({"conferences", "--streams-api", site.api()}, env);
    BOOST_TEST_REQUIRE(table.exitCode == 0, table.err);
    BOOST_TEST(table.out.find("35c3  35C3  2018-12-27 – 2018-12-30") != std::string::npos,
               table.out);
    BOOST_TEST(table.out.find("Eliza") != std::string::npos, table.out);
}

BOOST_DATA_TEST_CASE(badConferenceOptionsAreOneSentenceAndExit64,
                     bdata::make({"nope", "35c3", "35c3"}) ^
                         bdata::make({"--stream-kind", "--stream-kind", "--language"}) ^
                         bdata::make({"hd", "4k", "german"}) ^
                         bdata::make({"'nope' is neither a preset nor announced by",
                                      "--stream-kind '4k' is not one of",
                                      "--language 'german' is not one of"}),
                     slug, option, value, expected) {
    FakeStreamingSite site;
    TempDir cache;
    const auto r =
        runConfcap({"plan", "--conference", slug, "--streams-api", site.api(), option, value},
                   {{"XDG_CACHE_HOME", cache.path.string()}});
    BOOST_TEST(r.exitCode == 64);
    BOOST_TEST(r.err.find(expected) != std::string::npos, r.err);
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err);
}

// FOSDEM has no streaming API: the preset names the schedule, the zone and the stream template.
// The schedule is given here so the test stays off the network; the zone comes from the preset
// (FOSDEM 2024's schedule names none).
BOOST_AUTO_TEST_CASE(fosdemIsAPreset) {
    TempDir cache;
    const auto r = runConfcap({"plan", "--conference", "fosdem2024", "--schedule",
                               CONFCAP_DATA_DIR "/schedules/fosdem2024-pentabarf.xml", "--room",
                               "H.1309 (Van Rijn)", "--day", "1", "--json"},
                              {{"XDG_CACHE_HOME", cache.path.string()}});
    BOOST_TEST_REQUIRE(r.exitCode == 0, r.err);
    const auto jobs = parseJson(r.out)->getArray("jobs");
    BOOST_REQUIRE(jobs->size() > 0U);
    BOOST_TEST(jobs->getObject(0)->getValue<std::string>("stream") ==
               "https://stream.fosdem.org/h1309.m3u8");
    // Schedule times are read in the preset's zone, Europe/Brussels (UTC+1 in February).
    const auto talk = jobs->getObject(0)->getObject("talk");
    BOOST_TEST(talk->getValue<std::string>("start").substr(11) == "09:30:00Z", r.out);
}

BOOST_AUTO_TEST_SUITE_END()
