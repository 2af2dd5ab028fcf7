// EMF Camp's schedule JSON through parseSchedule: local times in Europe/London, days by date, the
// recording opt-out, a broken item, and a list that is not a schedule.
#include "confcap/schedule/ScheduleParser.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "confcap/core/Error.h"
#include "support/ScheduleTalks.h"
#include "support/TestData.h"

BOOST_AUTO_TEST_SUITE(EmfScheduleTest)

using confcap::core::formatUtc;
using confcap::core::ScheduleError;
using confcap::schedule::ParseOptions;
using confcap::schedule::parseSchedule;
using confcap::schedule::Schedule;
using confcap::schedule::Talk;
using confcap::testing::talkWithId;

namespace {

const std::string kFile = "schedules/emf-2024-sample.json";

Schedule parseSample(std::optional<std::string> zone = std::nullopt) {
    ParseOptions options;
    options.source = confcap::testing::testDataPath(kFile);
    options.timeZone = std::move(zone);
    return parseSchedule(confcap::testing::testData(kFile), options);
}

}  // namespace

BOOST_AUTO_TEST_CASE(readsTheItemsInLondonTime) {
    const auto schedule = parseSample();
    BOOST_TEST(schedule.format == "EMF JSON");
    BOOST_TEST(schedule.conference.timeZone == "Europe/London");
    BOOST_TEST(schedule.talks.size() == 5u);
    BOOST_TEST(schedule.rooms.size() == 4u);
    // British Summer Time: 10:20 in Eastnor is 09:20 UTC.
    const auto& telescope = talkWithId(schedule, "214");
    BOOST_TEST(telescope.title == "Building a radio telescope from a satellite dish");
    BOOST_TEST(telescope.room == "Stage B");
    BOOST_TEST(formatUtc(telescope.start) == "2024-05-31T09:20:00Z");
    BOOST_TEST(telescope.duration.count() == 30 * 60);
    BOOST_TEST(telescope.slug == "building-a-radio-telescope");
    BOOST_TEST(telescope.url ==
               "https://www.emfcamp.org/schedule/2024/214-building-a-radio-telescope");
    BOOST_REQUIRE_EQUAL(telescope.persons.size(), 1u);
    BOOST_TEST(telescope.persons[0].name == "Ada Example");
    BOOST_TEST(!telescope.doNotRecord);
}

BOOST_AUTO_TEST_CASE(daysAreTheLocalDatesAndATalkAcrossMidnightKeepsItsLength) {
    const auto schedule = parseSample();
    BOOST_TEST(schedule.conference.dayDates ==
                   (std::vector<std::string>{"2024-05-30", "2024-05-31", "2024-06-01"}),
               boost::test_tools::per_element());
    BOOST_TEST(talkWithId(schedule, "101").day == 1);
    const auto& late = talkWithId(schedule, "330");
    BOOST_TEST(late.day == 2);
    BOOST_TEST(late.dayDate == "2024-05-31");
    BOOST_TEST(formatUtc(late.start) == "2024-05-31T22:30:00Z");
    BOOST_TEST(late.duration.count() == 60 * 60);
    BOOST_TEST(talkWithId(schedule, "412").day == 3);
}

BOOST_AUTO_TEST_CASE(videoPrivacyNoneIsAnOptOut) {
    const auto schedule = parseSample();
    BOOST_TEST(talkWithId(schedule, "215").doNotRecord);
    BOOST_TEST(talkWithId(schedule, "412").doNotRecord);
    BOOST_TEST(talkWithId(schedule, "412").type == "workshop");
    BOOST_TEST(!talkWithId(schedule, "330").doNotRecord);
}

BOOST_AUTO_TEST_CASE(aBrokenItemIsSkippedAndNamed) {
    const auto schedule = parseSample();
    BOOST_TEST(std::none_of(schedule.talks.begin(), schedule.talks.end(),
                            [](const Talk& talk) { return talk.id == "499"; }));
    BOOST_REQUIRE_EQUAL(schedule.warnings.size(), 1u);
    BOOST_TEST(schedule.warnings[0].find("499") != std::string::npos, schedule.warnings[0]);
    BOOST_TEST(schedule.warnings[0].find("\"Saturday afternoon\"") != std::string::npos,
               schedule.warnings[0]);
}

BOOST_AUTO_TEST_CASE(theUsersZoneReplacesLondon) {
    const auto schedule = parseSample(std::string("Europe/Berlin"));
    BOOST_TEST(schedule.conference.timeZone == "Europe/Berlin");
    BOOST_TEST(formatUtc(talkWithId(schedule, "214").start) == "2024-05-31T08:20:00Z");
}

BOOST_AUTO_TEST_CASE(aListThatIsNotAScheduleIsRefusedInOneSentence) {
    ParseOptions options;
    options.source = "list.json";
    try {
        parseSchedule(R"([{"name": "a"}, 3])", options);
        BOOST_FAIL("a list of other things was read as a schedule");
    } catch (const ScheduleError& error) {
        const std::string message = error.what();
        BOOST_TEST(message.rfind("list.json is JSON but not a schedule: it is a list", 0) == 0u,
                   message);
        BOOST_TEST(std::count(message.begin(), message.end(), '\n') == 0);
    }
    BOOST_CHECK_THROW(parseSchedule("[]", options), ScheduleError);
}

BOOST_AUTO_TEST_SUITE_END()
