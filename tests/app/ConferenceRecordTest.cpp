// `confcap record --conference` end to end: a streaming API on loopback announces the fake
// conference (its schedule and both rooms' streams), and the run records one talk per room.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "confcap/demo/FakeConference.h"
#include "confcap/demo/LoopbackServer.h"
#include "support/MediaTestSupport.h"
#include "support/RecordRun.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(ConferenceRecordTest)

using namespace std::chrono_literals;
using confcap::demo::FakeConference;
using confcap::demo::StreamKind;

namespace {

Poco::JSON::Object::Ptr apiRoom(const std::string& name, const std::string& stream,
                                const std::string& format, const std::string& url) {
    Poco::JSON::Object::Ptr urls = new Poco::JSON::Object;
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
    entry->set("url", url);
    urls->set(format, entry);
    Poco::JSON::Object::Ptr hd = new Poco::JSON::Object;
    hd->set("slug", "hd-native");
    hd->set("type", "video");
    hd->set("isTranslated", false);
    hd->set("urls", urls);
    Poco::JSON::Array::Ptr streams = new Poco::JSON::Array;
    streams->add(hd);
    Poco::JSON::Object::Ptr room = new Poco::JSON::Object;
    room->set("slug", stream);
    room->set("schedulename", name);
    room->set("display", name);
    room->set("stream", stream);
    room->set("streams", streams);
    return room;
}

/// The v2 document announcing the fake conference as "fake": Adams streams HLS, Borg only a
/// progressive stream (listed as WebM, which the fake serves as MPEG-TS), Eliza is in no schedule.
std::string apiDocument(const FakeConference& conference) {
    Poco::JSON::Array::Ptr rooms = new Poco::JSON::Array;
    for (const auto& option : conference.streamOptions()) {
        const auto eq = option.find('=');
        const std::string room = option.substr(0, eq);
        rooms->add(apiRoom(room, room == "Adams" ? "s1" : "s2", room == "Adams" ? "hls" : "webm",
                           option.substr(eq + 1)));
    }
    rooms->add(apiRoom("Eliza", "s4", "hls", "http://127.0.0.1:1/never.m3u8"));
    Poco::JSON::Object::Ptr group = new Poco::JSON::Object;
    group->set("group", "Live");
    group->set("rooms", rooms);
    Poco::JSON::Array::Ptr groups = new Poco::JSON::Array;
    groups->add(group);
    Poco::JSON::Object::Ptr fake = new Poco::JSON::Object;
    fake->set("conference", "Fake");
    fake->set("slug", "fake");
    fake->set("schedule", conference.scheduleUrl());
    fake->set("groups", groups);
    Poco::JSON::Array root;
    root.add(fake);
    std::ostringstream out;
    root.stringify(out);
    return out.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(recordsTwoRoomsWhoseStreamsTheApiNames) {
    confcap::testing::RunFolders folders;
    const auto start =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 2s;
    confcap::demo::StreamSpec hls{"adams", StreamKind::Hls};
    hls.window = 8;
    FakeConference conference(
        confcap::testing::testClip(), {{"Adams", hls}, {"Borg", {"borg", StreamKind::Ts}}},
        {{"00000000-0000-4000-8000-000000000031", "Adams", "Adams Talk", 4s, 6s},
         {"00000000-0000-4000-8000-000000000032", "Borg", "Borg Talk", 4s, 6s}},
        start);
    const std::string document = apiDocument(conference);
    confcap::demo::LoopbackServer api(
        [&](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            response.setContentType("application/json");
            response.send() << document;
        });
    const auto r = confcap::testing::runProcess(
        CONFCAP_BINARY,
        {"record", "--conference", "fake", "--streams-api", api.url("/streams/v2.json"), "--out",
         folders.out.string(), "--pad-before", "1s", "--pad-after", "1s", "--min-size", "1K",
         "--min-duration", "2s", "--refresh", "0", "--exit-when-done"},
        folders.env());
    BOOST_TEST(r.exitCode == 0, r.err);
    BOOST_TEST(r.err.find("the streaming API lists the room 'Eliza'") != std::string::npos, r.err);
    std::vector<std::string> media;
    for (const auto& file : confcap::testing::filesUnder(folders.out)) {
        if (file.ends_with(".ts")) {
            media.push_back(file);
        }
    }
    BOOST_REQUIRE(media.size() == 2U);
    BOOST_TEST(media[0].find("Adams Talk") != std::string::npos, media[0]);
    BOOST_TEST(media[1].find("Borg Talk") != std::string::npos, media[1]);
}

BOOST_AUTO_TEST_SUITE_END()
