#include "confcap/plan/StreamsApi.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/plan/ConferencePreset.h"
#include "confcap/plan/Plan.h"
#include "confcap/schedule/ScheduleParser.h"
#include "support/TestData.h"

BOOST_AUTO_TEST_SUITE(StreamsApiTest)

namespace bdata = boost::unit_test::data;
using confcap::plan::ApiConference;
using confcap::plan::StreamKind;
using confcap::plan::StreamLanguage;

namespace {

const ApiConference& preview() {
    static const auto conferences = confcap::plan::parseStreamsApi(
        confcap::testing::testData("schedules/streams-35c3-preview.v2.json"), "v2.json");
    BOOST_REQUIRE(conferences.size() == 1U);
    return conferences.front();
}

confcap::schedule::Schedule apiRooms() {
    const std::string file = "schedules/35c3-api-rooms.xml";
    return confcap::schedule::parseSchedule(confcap::testing::testData(file),
                                            {confcap::testing::testDataPath(file), std::nullopt});
}

}  // namespace

BOOST_AUTO_TEST_CASE(theConferenceItsRoomsAndTheirStreams) {
    const auto& conference = preview();
    BOOST_TEST(conference.slug == "35c3");
    BOOST_TEST(conference.title == "35C3");
    BOOST_TEST(conference.schedule ==
               "https://fahrplan.events.ccc.de/congress/2018/Fahrplan/schedule.xml");
    BOOST_TEST(conference.startsAt == "2018-12-27T05:00:00+0000");
    BOOST_TEST(conference.endsAt == "2018-12-30T19:00:00+0000");
    BOOST_TEST(!conference.streaming);
    BOOST_REQUIRE(conference.rooms.size() == 5U);
    const auto& adams = conference.rooms.front();
    BOOST_TEST(adams.slug == "halla");
    BOOST_TEST(adams.scheduleName == "Adams");
    BOOST_TEST(adams.display == "Adams");
    BOOST_TEST(adams.stream == "s1");
    BOOST_TEST(adams.group == "Live");
    BOOST_TEST(adams.streams.size() == 13U);
    const auto* hd = confcap::plan::findStream(adams, StreamKind::Hd, StreamLanguage::Native);
    BOOST_REQUIRE(hd != nullptr);
    BOOST_TEST(hd->type == "video");
    BOOST_TEST(!hd->translated);
    BOOST_TEST(hd->width == 1920);
    BOOST_TEST(hd->height == 1080);
    BOOST_TEST(hd->urls.size() == 2U);  // HLS and WebM
    const auto* audio =
        confcap::plan::findStream(adams, StreamKind::Audio, StreamLanguage::Translated2);
    BOOST_REQUIRE(audio != nullptr);
    BOOST_TEST(audio->translated);
    BOOST_TEST(audio->width == 0);
}

// Every kind and language of Adams (s1), HLS preferred, MP3 where a kind has no HLS.
BOOST_DATA_TEST_CASE(
    eachKindAndLanguageHasItsUrl,
    bdata::make({"hd", "sd", "audio", "slides", "hd", "sd", "audio", "slides", "HD", "audio"}) ^
        bdata::make({"native", "native", "native", "native", "translated", "translated",
                     "translated", "translated-2", "Translated-2", "translated-2"}) ^
        bdata::make({"http://cdn.c3voc.de/hls/s1_native_hd.m3u8",
                     "http://cdn.c3voc.de/hls/s1_native_sd.m3u8",
                     "http://cdn.c3voc.de/s1_native.mp3",
                     "http://cdn.c3voc.de/hls/s1_native_slides.m3u8",
                     "http://cdn.c3voc.de/hls/s1_translated_hd.m3u8",
                     "http://cdn.c3voc.de/hls/s1_translated_sd.m3u8",
                     "http://cdn.c3voc.de/s1_translated.mp3",
                     "http://cdn.c3voc.de/hls/s1_translated-2_slides.m3u8",
                     "http://cdn.c3voc.de/hls/s1_translated-2_hd.m3u8",
                     "http://cdn.c3voc.de/s1_translated-2.mp3"}),
    kind, language, expected) {
    const auto k = confcap::plan::streamKindNamed(kind);
    const auto l = confcap::plan::streamLanguageNamed(language);
    BOOST_REQUIRE(k.has_value());
    BOOST_REQUIRE(l.has_value());
    const auto* stream = confcap::plan::findStream(preview().rooms.front(), *k, *l);
    BOOST_REQUIRE(stream != nullptr);
    const auto* url = confcap::plan::preferredUrl(*stream);
    BOOST_REQUIRE(url != nullptr);
    BOOST_TEST(url->url == expected);
}

BOOST_AUTO_TEST_CASE(unknownKindsAndLanguagesAreNotGuessed) {
    BOOST_TEST(!confcap::plan::streamKindNamed("4k").has_value());
    BOOST_TEST(!confcap::plan::streamLanguageNamed("german").has_value());
    BOOST_TEST(!confcap::plan::streamLanguageNamed("translated-3").has_value());
}

BOOST_AUTO_TEST_CASE(aStreamWithOnlyDashHasNoUrlToRecord) {
    const auto& dash = preview().rooms.front().streams.front();
    BOOST_TEST(dash.slug == "dash-native");
    BOOST_TEST(confcap::plan::preferredUrl(dash) == nullptr);
}

BOOST_AUTO_TEST_CASE(roomsMeetByScheduleNameThenGuidThenDisplayAnyCase) {
    const auto match =
        confcap::plan::matchRooms(preview(), apiRooms(), StreamKind::Sd, StreamLanguage::Native);
    BOOST_REQUIRE(match.streams.size() == 4U);
    BOOST_TEST(match.streams[0].room == "Adams");
    BOOST_TEST(match.streams[0].url == "http://cdn.c3voc.de/hls/s1_native_sd.m3u8");
    BOOST_TEST(match.streams[1].room == "Borg");
    BOOST_TEST(match.streams[2].room == "clarke");  // another case
    BOOST_TEST(match.streams[2].apiRoom == "Clarke");
    BOOST_TEST(match.streams[3].room == "Saal D");  // its guid is "dijkstra"
    BOOST_TEST(match.streams[3].apiRoom == "Dijkstra");
    BOOST_TEST(match.apiRoomsNotInSchedule == std::vector<std::string>{"Eliza"});
    BOOST_TEST(match.scheduleRoomsNotInApi == std::vector<std::string>{"Workshop Room"});
}

BOOST_AUTO_TEST_CASE(planTakesApiStreamsAfterExplicitOnesAndSaysWhereARoomHasNone) {
    const auto schedule = apiRooms();
    const auto match =
        confcap::plan::matchRooms(preview(), schedule, StreamKind::Hd, StreamLanguage::Native);
    confcap::plan::StreamMap streams;
    streams.streams = {{"borg", "https://example.org/borg.m3u8"}};
    for (const auto& room : match.streams) {
        streams.conferenceStreams.emplace_back(room.room, room.url);
    }
    streams.conferenceSource = "the streaming API's 35c3";
    const auto plan = confcap::plan::makePlan(schedule, confcap::select::Selector({}), streams,
                                              confcap::plan::PlanOptions{});
    BOOST_REQUIRE(plan.jobs.size() == 4U);
    std::map<std::string, std::string> byRoom;
    for (const auto& job : plan.jobs) {
        byRoom[job.talk.room] = job.stream;
    }
    BOOST_TEST(byRoom["Adams"] == "http://cdn.c3voc.de/hls/s1_native_hd.m3u8");
    BOOST_TEST(byRoom["Borg"] == "https://example.org/borg.m3u8");
    BOOST_TEST(byRoom["Saal D"] == "http://cdn.c3voc.de/hls/s3_native_hd.m3u8");
    BOOST_REQUIRE(plan.skipped.size() == 1U);
    BOOST_TEST(plan.skipped[0].reason ==
               "no stream for room 'Workshop Room' in the streaming API's 35c3");
}

BOOST_AUTO_TEST_CASE(whatIsNotAStreamsDocumentSaysSo) {
    BOOST_CHECK_THROW(confcap::plan::parseStreamsApi("<html>", "x"), confcap::core::ScheduleError);
    BOOST_CHECK_THROW(confcap::plan::parseStreamsApi("{\"a\":1}", "x"),
                      confcap::core::ScheduleError);
    BOOST_CHECK_THROW(confcap::plan::parseStreamsApi("[{\"conference\":\"X\"}]", "x"),
                      confcap::core::ScheduleError);
    BOOST_TEST(confcap::plan::parseStreamsApi("[]", "x").empty());
}

BOOST_AUTO_TEST_CASE(fosdemIsAPresetForThisYearOrAGivenOne) {
    const auto presets = confcap::plan::builtinPresets();
    const auto thisYear = confcap::plan::findPreset(presets, "FOSDEM", 2027);
    BOOST_REQUIRE(thisYear.has_value());
    BOOST_TEST(thisYear->schedule == "https://fosdem.org/2027/schedule/xml");
    BOOST_TEST(thisYear->timeZone == "Europe/Brussels");
    BOOST_TEST(thisYear->streamTemplate == "https://stream.fosdem.org/{room_slug}.m3u8");
    BOOST_TEST(thisYear->title == "FOSDEM 2027");
    const auto given = confcap::plan::findPreset(presets, "fosdem2026", 2027);
    BOOST_REQUIRE(given.has_value());
    BOOST_TEST(given->schedule == "https://fosdem.org/2026/schedule/xml");
    BOOST_TEST(!confcap::plan::findPreset(presets, "fosdem26", 2027).has_value());
    BOOST_TEST(!confcap::plan::findPreset(presets, "fosdemabcd", 2027).has_value());
    BOOST_TEST(!confcap::plan::findPreset(presets, "38c3", 2027).has_value());
    BOOST_TEST(confcap::plan::presetNames(presets) == std::vector<std::string>{"fosdem"});
    BOOST_CHECK_THROW(confcap::plan::findPreset("[a]\nnonsense\n", "a", 2027),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
