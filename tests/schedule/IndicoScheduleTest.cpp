// Indico's timetable export through parseSchedule: contributions inside and outside sessions, a
// session block without contributions, breaks, each entry's own zone, a broken entry, and an
// export without an event.
#include "confcap/schedule/ScheduleParser.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "confcap/core/Error.h"
#include "support/ScheduleTalks.h"
#include "support/TestData.h"

BOOST_AUTO_TEST_SUITE(IndicoScheduleTest)

using confcap::core::formatUtc;
using confcap::core::ScheduleError;
using confcap::schedule::ParseOptions;
using confcap::schedule::parseSchedule;
using confcap::schedule::Schedule;
using confcap::schedule::Talk;
using confcap::testing::talkTitled;

namespace {

const std::string kFile = "schedules/indico-timetable-sample.json";

Schedule parseSample() {
    return parseSchedule(confcap::testing::testData(kFile), {"indico.json", std::nullopt});
}

}  // namespace

BOOST_AUTO_TEST_CASE(contributionsAreTalksInTheirZone) {
    const auto schedule = parseSample();
    BOOST_TEST(schedule.format == "Indico JSON");
    BOOST_TEST(schedule.conference.title == "Indico event 1234");
    BOOST_TEST(schedule.conference.timeZone == "Europe/Zurich");
    BOOST_TEST(schedule.conference.dayDates ==
               (std::vector<std::string>{"2024-05-13", "2024-05-14", "2024-05-15"}));
    BOOST_TEST(schedule.talks.size() == 6U);
    const auto& welcome = talkTitled(schedule, "Welcome and Introduction");
    // 09:00 in Geneva in May is 07:00 UTC.
    BOOST_TEST(formatUtc(welcome.start) == "2024-05-13T07:00:00Z");
    BOOST_TEST(welcome.duration.count() == 15 * 60);
    BOOST_TEST(welcome.id == "501");
    BOOST_TEST(welcome.room == "Main Auditorium");
    BOOST_TEST(welcome.day == 1);
    BOOST_TEST(welcome.persons.at(0).name == "Jane Doe");
    // Links are made absolute with the site that answered.
    BOOST_TEST(welcome.url == "https://indico.example.org/event/1234/contributions/501/");
}

BOOST_AUTO_TEST_CASE(aSessionsContributionsTakeItsRoomAndTitle) {
    const auto schedule = parseSample();
    const auto& inherited = talkTitled(schedule, "Silicon trackers at high luminosity");
    BOOST_TEST(inherited.room == "40-S2-A01");
    BOOST_TEST(inherited.track == "Detectors");
    const auto& own = talkTitled(schedule, "Calorimetry, revisited");
    BOOST_TEST(own.room == "4-3-006");
    BOOST_TEST(own.track == "Detectors");
    // The session block itself is no talk, nor is the coffee break.
    BOOST_TEST(std::none_of(schedule.talks.begin(), schedule.talks.end(), [](const Talk& t) {
        return t.title == "Detectors" || t.title == "Coffee break";
    }));
}

BOOST_AUTO_TEST_CASE(aSessionWithoutContributionsIsOneTalk) {
    const auto schedule = parseSample();
    const auto& posters = talkTitled(schedule, "Poster session");
    BOOST_TEST(posters.day == 2);
    BOOST_TEST(posters.dayDate == "2024-05-14");
    BOOST_TEST(posters.duration.count() == 2 * 3600);
    BOOST_TEST(posters.type == "Session");
}

// Indico lists a session block that ends on a later date (here at midnight) under both dates.
BOOST_AUTO_TEST_CASE(aSessionUntilMidnightIsReadOnceOnItsDay) {
    const auto schedule = parseSample();
    const auto count =
        std::count_if(schedule.talks.begin(), schedule.talks.end(),
                      [](const Talk& t) { return t.title == "Detector night shift"; });
    BOOST_TEST(count == 1);
    const auto& night = talkTitled(schedule, "Detector night shift");
    BOOST_TEST(night.dayDate == "2024-05-14");
    BOOST_TEST(night.day == 2);
    BOOST_TEST(night.room == "Control Room");
    BOOST_TEST(night.track == "Night session");
}

BOOST_AUTO_TEST_CASE(aBrokenEntryIsSkippedAndNamed) {
    const auto schedule = parseSample();
    BOOST_REQUIRE(schedule.warnings.size() == 1U);
    BOOST_TEST(schedule.warnings[0].find("504") != std::string::npos, schedule.warnings[0]);
    BOOST_TEST(schedule.warnings[0].find("startDate") != std::string::npos, schedule.warnings[0]);
}

BOOST_AUTO_TEST_CASE(anEntryWithoutAZoneNeedsTheUsersZone) {
    const std::string json =
        R"({"results": {"9": {"20240101": {"c1": {"entryType": "Contribution", "title": "T",)"
        R"( "contributionId": 1, "room": "R", "startDate": {"date": "2024-01-01", "time":)"
        R"( "10:00:00"}, "endDate": {"date": "2024-01-01", "time": "10:30:00"}}}}}})";
    BOOST_CHECK_EXCEPTION(parseSchedule(json, {"zone-less.json", std::nullopt}), ScheduleError,
                          [](const ScheduleError& e) {
                              return std::string(e.what()).find("zone-less.json") !=
                                     std::string::npos;
                          });
    const auto with = parseSchedule(json, {"zone-less.json", std::string("America/New_York")});
    BOOST_REQUIRE(with.talks.size() == 1U);
    BOOST_TEST(formatUtc(with.talks[0].start) == "2024-01-01T15:00:00Z");
}

BOOST_AUTO_TEST_CASE(anExportWithoutAnEventIsRefused) {
    BOOST_CHECK_EXCEPTION(
        parseSchedule(R"({"count": 0, "results": {}})", {"empty.json", std::nullopt}),
        ScheduleError, [](const ScheduleError& e) {
            return std::string(e.what()).find("empty.json is an Indico export without an event") !=
                   std::string::npos;
        });
}

BOOST_AUTO_TEST_SUITE_END()
