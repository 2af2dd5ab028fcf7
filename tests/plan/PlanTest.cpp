#include "confcap/plan/Plan.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "confcap/core/Error.h"
#include "confcap/schedule/ScheduleParser.h"

BOOST_AUTO_TEST_SUITE(PlanTest)

namespace bdata = boost::unit_test::data;
using namespace std::chrono_literals;
using confcap::core::formatUtc;
using confcap::plan::makePlan;
using confcap::plan::PlanOptions;
using confcap::plan::StreamMap;
using confcap::select::Selector;

namespace {

confcap::schedule::Schedule example() {
    const std::string path = CONFCAP_SOURCE_DIR "/schedules/example-conference.xml";
    std::ifstream in(path);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return confcap::schedule::parseSchedule(bytes.str(), {path, std::nullopt});
}

const confcap::plan::Job* jobTitled(const confcap::plan::Plan& plan, std::string_view title) {
    for (const auto& job : plan.jobs) {
        if (job.talk.title == title) {
            return &job;
        }
    }
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(jobsGetPaddedWindowsStreamsAndNames) {
    const StreamMap streams{{{"saal 1", "https://cdn.example/hls/s1/native_hd.m3u8"},
                             {"Saal GLITCH", "https://cdn.example/s2.webm"}},
                            ""};
    const auto plan = makePlan(example(), Selector({}), streams, PlanOptions{});
    BOOST_TEST(plan.jobs.size() == 7U);     // Saal 1: 4, GLITCH: 3 (optout not respected here)
    BOOST_TEST(plan.skipped.size() == 2U);  // nothing streams Saal ZIGZAG
    for (const auto& skipped : plan.skipped) {
        BOOST_TEST(skipped.reason == "no stream for room 'Saal ZIGZAG'");
    }
    const auto* opening = jobTitled(plan, "Opening Ceremony");
    BOOST_REQUIRE(opening != nullptr);
    BOOST_TEST(opening->stream == "https://cdn.example/hls/s1/native_hd.m3u8");
    BOOST_TEST(formatUtc(opening->from) == "2026-12-27T09:29:00Z");   // 10:30 CET - 1 min
    BOOST_TEST(formatUtc(opening->until) == "2026-12-27T10:05:00Z");  // 11:00 CET + 5 min
    BOOST_TEST(opening->fileStem.string() == "2026-12-27/Saal 1/1030 Opening Ceremony");
    BOOST_TEST(opening->expectedExtension == "ts");
    BOOST_TEST(jobTitled(plan, "Live Streaming at Scale")->expectedExtension == "webm");
    for (std::size_t i = 1; i < plan.jobs.size(); ++i) {
        BOOST_TEST((plan.jobs[i - 1].from <= plan.jobs[i].from));
    }
}

BOOST_AUTO_TEST_CASE(optoutIsSkippedWhenRespected) {
    const StreamMap streams{{}, "https://cdn.example/hls/{room_slug}.m3u8"};
    const auto plan =
        makePlan(example(), Selector({.respectOptout = true}), streams, PlanOptions{});
    BOOST_TEST(plan.jobs.size() == 8U);
    BOOST_TEST(jobTitled(plan, "A Talk Whose Speaker Opted Out") == nullptr);
}

BOOST_AUTO_TEST_CASE(streamTemplateFillsRoomFields) {
    const StreamMap streams{{}, "https://live.example/{room_slug}/{room}/{room_guid}.m3u8"};
    const auto plan = makePlan(example(), Selector({.rooms = {"Saal GLITCH"}}), streams, {});
    BOOST_REQUIRE(!plan.jobs.empty());
    BOOST_TEST(plan.jobs[0].stream ==
               "https://live.example/saalglitch/Saal%20GLITCH/"
               "2c56e541-659d-518b-b979-e34d0d553ebc.m3u8");
}

// A slug or guid from the schedule went into the URL unencoded (issue 11).
BOOST_AUTO_TEST_CASE(streamTemplateEncodesEveryRoomField) {
    const std::string xml =
        "<schedule><conference><title>C</title><time_zone_name>Europe/Berlin</time_zone_name>"
        "</conference><day index=\"1\" date=\"2024-12-27\"><room name=\"A/B ?\" "
        "slug=\"../x?y#z\" guid=\"g/1&amp;2\"><event id=\"1\" guid=\"e1\"><date>"
        "2024-12-27T11:00:00+01:00</date><duration>00:30</duration><title>T</title></event>"
        "</room></day></schedule>";
    const auto schedule = confcap::schedule::parseSchedule(xml, {"x.xml", std::nullopt});
    const StreamMap streams{{}, "https://live.example/{room_slug}/{room}/{room_guid}.m3u8"};
    const auto plan = makePlan(schedule, Selector({}), streams, {});
    BOOST_REQUIRE(plan.jobs.size() == 1U);
    BOOST_TEST(plan.jobs[0].stream ==
               "https://live.example/..%2Fx%3Fy%23z/A%2FB%20%3F/g%2F1%262.m3u8");
}

BOOST_AUTO_TEST_CASE(paddingAndZoneAreHonoured) {
    PlanOptions options;
    options.padBefore = 0s;
    options.padAfter = 10min;
    options.zone = "UTC";
    options.namePattern = "{acronym}-{id}-{title}.{ext}";
    const auto plan = makePlan(example(), Selector({.talks = {"1001"}}),
                               {{{"Saal 1", "http://x/s.ts"}}, ""}, options);
    BOOST_REQUIRE(plan.jobs.size() == 1U);
    BOOST_TEST(formatUtc(plan.jobs[0].from) == "2026-12-27T09:30:00Z");
    BOOST_TEST(formatUtc(plan.jobs[0].until) == "2026-12-27T10:10:00Z");
    BOOST_TEST(plan.jobs[0].fileStem.string() == "example26-1001-Opening Ceremony");
}

BOOST_AUTO_TEST_CASE(unknownStreamRoomIsAnError) {
    const StreamMap streams{{{"Saal 9", "https://cdn.example/s9.m3u8"}}, ""};
    try {
        makePlan(example(), Selector({}), streams, {});
        BOOST_FAIL("no error for an unknown room");
    } catch (const confcap::core::UsageError& e) {
        const std::string message = e.what();
        BOOST_TEST(message.find("'Saal 9'") != std::string::npos);
        BOOST_TEST(message.find("Saal GLITCH") != std::string::npos);
    }
}

BOOST_DATA_TEST_CASE(parsesStreamOptions,
                     bdata::make({"Saal 1=https://cdn/s1.m3u8", "Saal 1 = https://cdn/a?b=c",
                                  "K.1.105 (La Fontaine)=http://x/k1105.m3u8"}) ^
                         bdata::make({"Saal 1", "Saal 1", "K.1.105 (La Fontaine)"}) ^
                         bdata::make({"https://cdn/s1.m3u8", "https://cdn/a?b=c",
                                      "http://x/k1105.m3u8"}),
                     value, room, url) {
    const auto [r, u] = confcap::plan::parseStreamOption(value);
    BOOST_TEST(r == room);
    BOOST_TEST(u == url);
}

BOOST_DATA_TEST_CASE(rejectsMalformedStreamOptions,
                     bdata::make({"Saal 1", "=https://cdn/s1.m3u8", "Saal 1=ftp://cdn/s1",
                                  "Saal 1=cdn/s1.m3u8"}),
                     value) {
    BOOST_CHECK_THROW(confcap::plan::parseStreamOption(value), confcap::core::UsageError);
}

BOOST_AUTO_TEST_CASE(diffFindsAddedCancelledAndMoved) {
    auto schedule = example();
    const StreamMap streams{{}, "https://cdn.example/{room_slug}.m3u8"};
    const auto before = makePlan(schedule, Selector({}), streams, {});

    schedule.talks.erase(schedule.talks.begin());  // the opening is cancelled
    schedule.talks[0].start += 15min;              // the next one moves
    auto added = schedule.talks[1];
    added.guid = "new-guid";
    added.title = "A New Talk";
    schedule.talks.push_back(added);
    const auto after = makePlan(schedule, Selector({}), streams, {});

    const auto diff = confcap::plan::diffPlans(before, after);
    BOOST_REQUIRE(diff.cancelled.size() == 1U);
    BOOST_TEST(diff.cancelled[0].talk.title == "Opening Ceremony");
    BOOST_REQUIRE(diff.added.size() == 1U);
    BOOST_TEST(diff.added[0].talk.title == "A New Talk");
    BOOST_REQUIRE(diff.changed.size() == 1U);
    BOOST_TEST((diff.changed[0].second.from - diff.changed[0].first.from == 15min));
    BOOST_TEST(confcap::plan::diffPlans(after, after).changed.empty());
}

BOOST_AUTO_TEST_SUITE_END()
