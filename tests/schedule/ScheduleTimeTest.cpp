#include "confcap/schedule/ScheduleTime.h"

#include <string>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "confcap/core/Error.h"

BOOST_AUTO_TEST_SUITE(ScheduleTimeTest)

namespace bdata = boost::unit_test::data;
using confcap::core::formatUtc;
using confcap::core::ScheduleError;
using confcap::core::Seconds;
using confcap::schedule::parseLocalDate;
using confcap::schedule::parseTimeOfDay;
using confcap::schedule::ScheduleTime;

namespace {

const std::string kSource = "test-schedule.xml";

date::local_seconds local(const std::string& date, const std::string& clock) {
    return *parseLocalDate(date) + *parseTimeOfDay(clock);
}

bool mentions(const ScheduleError& e, const std::string& part) {
    return std::string(e.what()).find(part) != std::string::npos;
}

}  // namespace

BOOST_DATA_TEST_CASE(parsesTimesOfDay,
                     bdata::make({"09:00", "9:00", "00:00", "23:59", "09:00:00", "00:05:30",
                                  " 18:40\n"}) ^
                         bdata::make({32400, 32400, 0, 86340, 32400, 330, 67200}),
                     text, seconds) {
    const auto parsed = parseTimeOfDay(text);
    BOOST_REQUIRE(parsed.has_value());
    BOOST_TEST(parsed->count() == seconds);
}

BOOST_DATA_TEST_CASE(rejectsMalformedTimesOfDay,
                     bdata::make({"", "9", "24:00", "12:60", "12:5", "123:00", "12:00:60",
                                  "12:00:", "12-00", "ab:cd", "12:00 pm", "2024-02-03T09:00"}),
                     text) {
    BOOST_TEST(!parseTimeOfDay(text).has_value());
}

BOOST_DATA_TEST_CASE(parsesDates, bdata::make({"2024-02-29", " 2007-02-25 "}), text) {
    BOOST_TEST(parseLocalDate(text).has_value());
}

BOOST_DATA_TEST_CASE(rejectsMalformedDates,
                     bdata::make({"", "2023-02-29", "2024-13-01", "2024-2-3", "24-02-03",
                                  "2024-02-03T09:00:00", "2024/02/03"}),
                     text) {
    BOOST_TEST(!parseLocalDate(text).has_value());
}

// Europe/Berlin: CET (+01:00) in winter, CEST (+02:00) from 2024-03-31 02:00 local (01:00Z)
// until 2024-10-27 03:00 local (01:00Z).
BOOST_DATA_TEST_CASE(convertsLocalTimesAcrossDstSwitches,
                     bdata::make({
                         "2024-03-31 01:30",  // still CET
                         "2024-03-31 02:30",  // in the spring-forward gap: the switch itself
                         "2024-03-31 03:00",  // CEST
                         "2024-10-27 01:30",  // still CEST
                         "2024-10-27 02:30",  // exists twice: the earlier, CEST, one
                         "2024-10-27 03:00",  // CET
                         "2024-12-27 10:30",  // plain winter
                     }) ^ bdata::make({"2024-03-31T00:30:00Z", "2024-03-31T01:00:00Z",
                                       "2024-03-31T01:00:00Z", "2024-10-26T23:30:00Z",
                                       "2024-10-27T00:30:00Z", "2024-10-27T02:00:00Z",
                                       "2024-12-27T09:30:00Z"}),
                     when, utc) {
    const ScheduleTime time(kSource, "Europe/Berlin", std::nullopt);
    const std::string text(when);
    BOOST_TEST(formatUtc(time.toUtc(local(text.substr(0, 10), text.substr(11)))) == utc);
}

BOOST_AUTO_TEST_CASE(placesAGapTimeAtTheSwitchInOtherZonesToo) {
    // New York springs forward at 02:00 EST (07:00Z) on 2024-03-10; 02:30 does not exist.
    const ScheduleTime time(kSource, "", std::string("America/New_York"));
    BOOST_TEST(formatUtc(time.toUtc(local("2024-03-10", "02:30"))) == "2024-03-10T07:00:00Z");
}

BOOST_DATA_TEST_CASE(movesStartsBeforeTheRolloverToTheNextDay,
                     bdata::make({"00:30", "08:59", "09:00", "23:30", "00:30"}) ^
                         bdata::make({9 * 3600, 9 * 3600, 9 * 3600, 9 * 3600, -1}) ^
                         bdata::make({"2024-02-03T23:30:00Z", "2024-02-04T07:59:00Z",
                                      "2024-02-03T08:00:00Z", "2024-02-03T22:30:00Z",
                                      "2024-02-02T23:30:00Z"}),
                     start, rollover, utc) {
    const ScheduleTime time(kSource, "Europe/Brussels", std::nullopt);
    std::optional<Seconds> threshold;
    if (rollover >= 0) {
        threshold = Seconds{rollover};
    }
    BOOST_TEST(formatUtc(time.eventStart(*parseLocalDate("2024-02-03"), *parseTimeOfDay(start),
                                         threshold)) == utc);
}

BOOST_DATA_TEST_CASE(readsTheDayStartInTheConferenceZone,
                     bdata::make({"2024-12-27T09:30:00+00:00", "2014-12-27T11:00:00+01:00",
                                  "2024-12-28T06:00:00+01:00", "2020-09-04T04:00:00",
                                  "2020-09-04T04:00:00.000+02:00"}) ^
                         bdata::make({10 * 3600 + 1800, 11 * 3600, 6 * 3600, 4 * 3600, 4 * 3600}),
                     dayStart, seconds) {
    const ScheduleTime time(kSource, "Europe/Berlin", std::nullopt);
    const auto clock = time.dayStartTime(dayStart);
    BOOST_REQUIRE(clock.has_value());
    BOOST_TEST(clock->count() == seconds);
}

BOOST_AUTO_TEST_CASE(readsTheDayStartAsWrittenWithoutAZone) {
    const ScheduleTime time(kSource, "", std::nullopt);
    BOOST_TEST(time.dayStartTime("2024-12-27T09:30:00+00:00")->count() == 9 * 3600 + 1800);
    BOOST_TEST(!time.dayStartTime("").has_value());
    BOOST_TEST(!time.dayStartTime("2024-12-27").has_value());
}

BOOST_AUTO_TEST_CASE(prefersTheScheduleZoneOverTheOption) {
    const ScheduleTime time(kSource, "Europe/London", std::string("Europe/Berlin"));
    BOOST_TEST(time.zoneName() == "Europe/London");
    BOOST_TEST(formatUtc(time.toUtc(local("2024-07-01", "10:00"))) == "2024-07-01T09:00:00Z");
}

BOOST_AUTO_TEST_CASE(usesTheOptionWhenTheScheduleNamesNoZone) {
    const ScheduleTime time(kSource, "", std::string("Europe/Brussels"));
    BOOST_TEST(time.zoneName() == "Europe/Brussels");
    BOOST_TEST(time.warning().empty());
}

BOOST_DATA_TEST_CASE(rejectsAnUnknownOptionZoneEvenWhenTheScheduleHasOne,
                     bdata::make({"", "Europe/Berlin"}), scheduleZone) {
    try {
        ScheduleTime time(kSource, scheduleZone, std::string("Mars/Olympus_Mons"));
        BOOST_FAIL("an unknown --timezone was accepted");
    } catch (const ScheduleError& e) {
        BOOST_TEST(mentions(e, kSource));
        BOOST_TEST(mentions(e, "Mars/Olympus_Mons"));
    }
}

BOOST_AUTO_TEST_CASE(needsAZoneOnlyWhenConvertingAndSaysHowToGiveOne) {
    const ScheduleTime time(kSource, "", std::nullopt);
    BOOST_TEST(time.zoneName().empty());
    try {
        time.toUtc(local("2024-02-03", "09:30"));
        BOOST_FAIL("a local time was converted without a zone");
    } catch (const ScheduleError& e) {
        BOOST_TEST(mentions(e, kSource));
        BOOST_TEST(mentions(e, "names no time zone"));
        BOOST_TEST(mentions(e, "--timezone"));
        BOOST_TEST(mentions(e, "Europe/Brussels"));
    }
}

BOOST_AUTO_TEST_CASE(reportsAnUnknownScheduleZoneWhenItIsNeeded) {
    const ScheduleTime time(kSource, "Berlin", std::nullopt);
    BOOST_TEST(time.zoneName().empty());
    BOOST_TEST(time.warning().find("'Berlin'") != std::string::npos);
    try {
        time.toUtc(local("2024-02-03", "09:30"));
        BOOST_FAIL("a local time was converted in an unknown zone");
    } catch (const ScheduleError& e) {
        BOOST_TEST(mentions(e, kSource));
        BOOST_TEST(mentions(e, "'Berlin'"));
        BOOST_TEST(mentions(e, "--timezone"));
    }
}

BOOST_AUTO_TEST_CASE(fallsBackToTheOptionForAnUnknownScheduleZone) {
    const ScheduleTime time(kSource, "Berlin", std::string("Europe/Berlin"));
    BOOST_TEST(time.zoneName() == "Europe/Berlin");
    BOOST_TEST(time.warning().find("'Berlin'") != std::string::npos);
    BOOST_TEST(formatUtc(time.toUtc(local("2024-02-03", "09:30"))) == "2024-02-03T08:30:00Z");
}

BOOST_AUTO_TEST_SUITE_END()
