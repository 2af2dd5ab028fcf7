#include "confcap/schedule/XmlScheduleParser.h"

#include <string>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "confcap/core/Error.h"

BOOST_AUTO_TEST_SUITE(XmlScheduleParserTest)

namespace bdata = boost::unit_test::data;
using confcap::core::formatUtc;
using confcap::core::ScheduleError;
using confcap::schedule::ParseOptions;
using confcap::schedule::Schedule;
using confcap::schedule::Talk;
using confcap::schedule::XmlScheduleParser;

namespace {

const std::string kSource = "/srv/conf/schedule.xml";

Schedule parse(const std::string& xml, std::optional<std::string> zone = std::nullopt) {
    ParseOptions options;
    options.source = kSource;
    options.timeZone = std::move(zone);
    return XmlScheduleParser(options).parse(xml);
}

/// A Pentabarf document with one day and one room holding `events`.
std::string pentabarf(const std::string& dayChange, const std::string& date,
                      const std::string& events) {
    std::string conference = "<conference><title>P</title>";
    if (!dayChange.empty()) {
        conference += "<day_change>" + dayChange + "</day_change>";
    }
    conference += "</conference>";
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<schedule>" + conference +
           "<day index=\"1\" date=\"" + date + "\"><room name=\"Janson\">" + events +
           "</room></day></schedule>";
}

std::string timedEvent(const std::string& id, const std::string& start,
                       const std::string& duration = "00:30") {
    return "<event id=\"" + id + "\"><start>" + start + "</start><duration>" + duration +
           "</duration><title>Talk " + id + "</title></event>";
}

/// A frab document in Europe/Berlin with one day starting at `dayStart` and `events` in Saal 1.
std::string frab(const std::string& dayStart, const std::string& events,
                 const std::string& zone = "Europe/Berlin") {
    return "<schedule><conference><title>F</title><time_zone_name>" + zone +
           "</time_zone_name></conference><day index=\"1\" date=\"" + dayStart.substr(0, 10) +
           "\" start=\"" + dayStart + "\" end=\"x\"><room name=\"Saal 1\">" + events +
           "</room></day></schedule>";
}

bool anyWarningHas(const Schedule& schedule, const std::string& part) {
    for (const std::string& warning : schedule.warnings) {
        if (warning.find(part) != std::string::npos) {
            return true;
        }
    }
    return false;
}

constexpr const char* kShuffled = R"(<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <day index="2" date="2024-12-28" start="2024-12-28T06:00:00+01:00" end="2024-12-29T06:00:00+01:00">
    <room guid="ba692ba3-421b-5371-8309-60acc34a3c05" name="Saal 1">
      <event code="HQCCYH" id="316" guid="78910469-adfa-5c79-8529-1a9d66ef9e6a">
        <persons>
          <person id="1544">erdgeist</person>
          <person guid="0c16ffaa-709d-599f-959f-9a38b911361a">Gabriela Bogk</person>
        </persons>
        <duration>01:30</duration>
        <recording><license/><optout>true</optout></recording>
        <url>https://example.org/talk/316</url>
        <room>Hall One</room>
        <abstract>  An abstract.  </abstract>
        <language>en</language>
        <type>Talk</type>
        <track>Security</track>
        <slug>38c3-talk-316</slug>
        <subtitle>The sub</subtitle>
        <title>
          The Title
        </title>
        <start>19:15</start>
        <date>2024-12-28T19:15:00+01:00</date>
        <do_not_stream>True</do_not_stream>
      </event>
    </room>
  </day>
  <conference>
    <acronym>38c3</acronym>
    <time_zone_name>Europe/Berlin</time_zone_name>
    <title>38C3</title>
  </conference>
</schedule>)";

}  // namespace

BOOST_AUTO_TEST_CASE(readsChildrenInAnyOrder) {
    const Schedule schedule = parse(kShuffled);
    BOOST_TEST(schedule.conference.title == "38C3");
    BOOST_TEST(schedule.conference.acronym == "38c3");
    BOOST_TEST(schedule.conference.timeZone == "Europe/Berlin");
    BOOST_TEST(schedule.conference.dayDates == std::vector<std::string>{"2024-12-28"});
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    const Talk& talk = schedule.talks[0];
    BOOST_TEST(talk.id == "316");
    BOOST_TEST(talk.guid == "78910469-adfa-5c79-8529-1a9d66ef9e6a");
    BOOST_TEST(talk.code == "HQCCYH");
    BOOST_TEST(talk.title == "The Title");
    BOOST_TEST(talk.subtitle == "The sub");
    BOOST_TEST(talk.slug == "38c3-talk-316");
    BOOST_TEST(talk.track == "Security");
    BOOST_TEST(talk.type == "Talk");
    BOOST_TEST(talk.language == "en");
    BOOST_TEST(talk.abstract == "An abstract.");
    BOOST_TEST(talk.url == "https://example.org/talk/316");
    BOOST_TEST(talk.room == "Saal 1");  // room@name wins over <event><room>
    BOOST_TEST(talk.roomGuid == "ba692ba3-421b-5371-8309-60acc34a3c05");
    BOOST_TEST(formatUtc(talk.start) == "2024-12-28T18:15:00Z");
    BOOST_TEST(talk.duration.count() == 5400);
    BOOST_TEST(formatUtc(talk.end()) == "2024-12-28T19:45:00Z");
    BOOST_TEST(talk.day == 2);
    BOOST_TEST(talk.dayDate == "2024-12-28");
    BOOST_TEST(talk.doNotRecord);
    BOOST_TEST(talk.doNotStream);
    BOOST_REQUIRE(talk.persons.size() == 2u);
    BOOST_TEST(talk.persons[0].name == "erdgeist");
    BOOST_TEST(talk.persons[0].id == "1544");
    BOOST_TEST(talk.persons[1].name == "Gabriela Bogk");
    BOOST_TEST(talk.persons[1].id == "0c16ffaa-709d-599f-959f-9a38b911361a");
    BOOST_REQUIRE(schedule.rooms.size() == 1u);
    BOOST_TEST(schedule.rooms[0].guid == "ba692ba3-421b-5371-8309-60acc34a3c05");
    BOOST_TEST(schedule.rooms[0].slug == "saal1");
}

BOOST_AUTO_TEST_CASE(takesTheRoomFromEventsWithoutRoomElements) {
    // FOSDEM 2007: events straight under <day>.
    const Schedule schedule = parse(R"(<schedule><conference><title>FOSDEM 2007</title>
      <day_change>09:00:00</day_change></conference>
      <day index="1" date="2007-02-25">
        <event id="0"><start>15:00</start><duration>00:45</duration><room>Chavanne</room>
          <title>AIGLX</title><video></video><end></end></event>
        <event id="5"><start>16:00</start><duration>00:30</duration><room>H.2214</room>
          <title>eID</title></event>
        <event id="6"><start>17:00</start><duration>00:30</duration><room>Chavanne</room>
          <title>Later</title></event>
      </day></schedule>)",
                                    "Europe/Brussels");
    BOOST_REQUIRE(schedule.talks.size() == 3u);
    BOOST_TEST(schedule.talks[0].room == "Chavanne");
    BOOST_TEST(schedule.talks[1].room == "H.2214");
    BOOST_TEST(schedule.talks[1].roomGuid.empty());
    BOOST_TEST(formatUtc(schedule.talks[0].start) == "2007-02-25T14:00:00Z");
    BOOST_REQUIRE(schedule.rooms.size() == 2u);
    BOOST_TEST(schedule.rooms[0].name == "Chavanne");
    BOOST_TEST(schedule.rooms[0].slug == "chavanne");
    BOOST_TEST(schedule.rooms[1].slug == "h2214");
}

BOOST_AUTO_TEST_CASE(registersEachRoomOnceWithItsSlugAndGuid) {
    const Schedule schedule = parse(R"xml(<schedule><conference><title>F</title>
      <time_zone_name>Europe/Brussels</time_zone_name></conference>
      <day index="1" date="2025-02-01">
        <room name="K.1.105 (La Fontaine)" slug="k1105"></room>
        <room name="UA2.118 (Henriot)"><event id="1"><date>2025-02-01T10:00:00+01:00</date>
          <duration>00:30</duration><title>T</title></event></room>
      </day>
      <day index="2" date="2025-02-02">
        <room name="UA2.118 (Henriot)" guid="6a1d3e2c-0000-4000-8000-000000000001"></room>
        <room name="K.1.105 (La Fontaine)" slug="k1105"></room>
      </day></schedule>)xml");
    BOOST_REQUIRE(schedule.rooms.size() == 2u);
    BOOST_TEST(schedule.rooms[0].slug == "k1105");
    BOOST_TEST(schedule.rooms[1].slug == "ua2118");
    BOOST_TEST(schedule.rooms[1].guid == "6a1d3e2c-0000-4000-8000-000000000001");
    // The guid given on day 2 reaches the talk listed on day 1.
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(schedule.talks[0].roomGuid == "6a1d3e2c-0000-4000-8000-000000000001");
    BOOST_TEST(schedule.conference.dayDates ==
               (std::vector<std::string>{"2025-02-01", "2025-02-02"}));
}

BOOST_DATA_TEST_CASE(readsOptout,
                     bdata::make({"<recording><optout>true</optout></recording>",
                                  "<recording><optout>True</optout></recording>",
                                  "<recording><optout>1</optout></recording>",
                                  "<recording>\n  <optout> true </optout>\n</recording>",
                                  "<recording><optout>false</optout></recording>",
                                  "<recording><optout>0</optout></recording>",
                                  "<recording><license/><optout/></recording>",
                                  "<recording><license>CC BY 4.0</license></recording>", "",
                                  "<do_not_record>True</do_not_record>"}) ^
                         bdata::make({true, true, true, true, false, false, false, false, false,
                                      true}),
                     recording, optout) {
    const Schedule schedule = parse(frab("2024-12-27T10:00:00+01:00",
                                         "<event id=\"1\"><date>2024-12-27T11:00:00+01:00</date>"
                                         "<duration>00:30</duration><title>T</title>" +
                                             std::string(recording) + "</event>"));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(schedule.talks[0].doNotRecord == optout);
    BOOST_TEST(!schedule.talks[0].doNotStream);
    BOOST_TEST(schedule.warnings.empty());
}

BOOST_DATA_TEST_CASE(readsDoNotStream,
                     bdata::make({"True", "true", "1", "False", "0"}) ^
                         bdata::make({true, true, true, false, false}),
                     text, value) {
    const Schedule schedule = parse(frab("2024-12-27T10:00:00+01:00",
                                         "<event id=\"1\"><date>2024-12-27T11:00:00+01:00</date>"
                                         "<duration>00:30</duration><title>T</title>"
                                         "<do_not_stream>" +
                                             std::string(text) + "</do_not_stream></event>"));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(schedule.talks[0].doNotStream == value);
}

BOOST_AUTO_TEST_CASE(warnsAboutAnUnreadableOptout) {
    const Schedule schedule = parse(frab("2024-12-27T10:00:00+01:00",
                                         "<event id=\"9\"><date>2024-12-27T11:00:00+01:00</date>"
                                         "<duration>00:30</duration><title>Maybe</title>"
                                         "<recording><optout>perhaps</optout></recording>"
                                         "</event>"));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(!schedule.talks[0].doNotRecord);
    BOOST_REQUIRE(schedule.warnings.size() == 1u);
    BOOST_TEST(schedule.warnings[0] ==
               "Event 9 \"Maybe\" has <optout> \"perhaps\", which is not true or false; it is "
               "read as false.");
}

BOOST_DATA_TEST_CASE(acceptsAnyXmlDeclaration,
                     bdata::make({"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                                  "<?xml version='1.0' encoding='utf-8' ?>\n", "",
                                  "\xEF\xBB\xBF<?xml version=\"1.0\"?>\r\n", "\n\n  ",
                                  " \n<?xml version='1.0'?>\n"}),
                     declaration) {
    const Schedule schedule =
        parse(std::string(declaration) +
              frab("2014-12-27T11:00:00+01:00",
                   "<event guid='HOqeNIb6G7M4hYFKFRkCmQ' id='6264'><date>2014-12-27T12:45:00+01:00"
                   "</date><duration>01:00</duration><title>Wir</title></event>"));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(formatUtc(schedule.talks[0].start) == "2014-12-27T11:45:00Z");
    BOOST_TEST(schedule.talks[0].guid == "HOqeNIb6G7M4hYFKFRkCmQ");
}

BOOST_AUTO_TEST_CASE(keepsCrlfAndHtmlAsTrimmedText) {
    const std::string event =
        "<event id=\"1\">\r\n<date>2024-12-27T11:00:00+01:00</date>\r\n"
        "<duration>00:30</duration>\r\n"
        "<title><![CDATA[Fish & <Chips>]]></title>\r\n"
        "<subtitle>Hello <b>bold</b> world</subtitle>\r\n"
        "<abstract>\r\n  &lt;p&gt;Line one&lt;/p&gt;\r\nLine two&#13;&#10;Line three&#13;\r\n"
        "  </abstract>\r\n"
        "<persons>\r\n<person id=\"1\">\r\n  Kristian "
        "H\xC3\xB8gsberg\r\n</person>\r\n</persons>\r\n"
        "</event>\r\n";
    const Schedule schedule = parse(frab("2024-12-27T10:00:00+01:00", event));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    const Talk& talk = schedule.talks[0];
    BOOST_TEST(talk.title == "Fish & <Chips>");
    BOOST_TEST(talk.subtitle == "Hello bold world");
    // XML reads a literal CR LF as LF; a CR written as &#13; stays.
    BOOST_TEST(talk.abstract == "<p>Line one</p>\nLine two\r\nLine three");
    BOOST_REQUIRE(talk.persons.size() == 1u);
    BOOST_TEST(talk.persons[0].name == "Kristian H\xC3\xB8gsberg");
}

BOOST_AUTO_TEST_CASE(keepsDocumentOrderWhenEventsAreNotInTimeOrder) {
    const Schedule schedule = parse(
        frab("2024-12-27T09:30:00+00:00",
             "<event id=\"316\"><date>2024-12-27T19:15:00+01:00</date><duration>00:40</duration>"
             "<title>Evening</title></event>"
             "<event id=\"91\"><date>2024-12-27T11:00:00+01:00</date><duration>00:40</duration>"
             "<title>Morning</title></event>"
             "<event id=\"248\"><date>2024-12-28T00:15:00+01:00</date><duration>00:40</duration>"
             "<title>Night</title></event>"));
    BOOST_REQUIRE(schedule.talks.size() == 3u);
    BOOST_TEST(schedule.talks[0].id == "316");
    BOOST_TEST(schedule.talks[1].id == "91");
    BOOST_TEST(formatUtc(schedule.talks[1].start) == "2024-12-27T10:00:00Z");
    BOOST_TEST(formatUtc(schedule.talks[2].start) == "2024-12-27T23:15:00Z");
    BOOST_TEST(schedule.talks[2].day == 1);
}

// Pentabarf: a <start> earlier than day_change is on the next calendar day. Brussels is UTC+1
// in February.
BOOST_DATA_TEST_CASE(
    appliesDayChange,
    bdata::make({"09:00:00", "09:00:00", "06:00", "06:00", "00:00:00", "04:00", "09:00"}) ^
        bdata::make({"08:59", "09:00", "01:30", "23:30", "00:30", "03:59", "18:40"}) ^
        bdata::make({"2024-02-04T07:59:00Z", "2024-02-03T08:00:00Z", "2024-02-04T00:30:00Z",
                     "2024-02-03T22:30:00Z", "2024-02-02T23:30:00Z", "2024-02-04T02:59:00Z",
                     "2024-02-03T17:40:00Z"}),
    dayChange, start, utc) {
    const Schedule schedule =
        parse(pentabarf(dayChange, "2024-02-03", timedEvent("1", start)), "Europe/Brussels");
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(formatUtc(schedule.talks[0].start) == utc);
    BOOST_TEST(schedule.talks[0].dayDate == "2024-02-03");
    BOOST_TEST(schedule.format == "pentabarf XML");
}

// frab/pretalx without <date>: a <start> earlier than the time of day@start is after midnight.
// day@start is read in the conference zone: "09:30:00+00:00" is 10:30 in Berlin.
BOOST_DATA_TEST_CASE(
    appliesTheDayStartWithoutDayChange,
    bdata::make({"2014-12-27T11:00:00+01:00", "2014-12-27T11:00:00+01:00",
                 "2014-12-27T11:00:00+01:00", "2014-12-27T11:00:00+01:00",
                 "2024-12-27T09:30:00+00:00", "2024-12-27T09:30:00+00:00",
                 "2020-09-04T04:00:00+02:00"}) ^
        bdata::make({"00:15", "10:59", "11:00", "23:00", "10:00", "10:30", "03:30"}) ^
        bdata::make({"2014-12-27T23:15:00Z", "2014-12-28T09:59:00Z", "2014-12-27T10:00:00Z",
                     "2014-12-27T22:00:00Z", "2024-12-28T09:00:00Z", "2024-12-27T09:30:00Z",
                     "2020-09-05T01:30:00Z"}),
    dayStart, start, utc) {
    const Schedule schedule = parse(frab(dayStart, timedEvent("1", start)));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(formatUtc(schedule.talks[0].start) == utc);
}

BOOST_AUTO_TEST_CASE(prefersDayChangeOverTheDayStart) {
    const std::string xml =
        "<schedule><conference><title>F</title><day_change>06:00</day_change>"
        "<time_zone_name>Europe/Brussels</time_zone_name></conference>"
        "<day index=\"1\" date=\"2025-02-01\" start=\"2025-02-01T10:00:00+01:00\">"
        "<room name=\"Janson\">" +
        timedEvent("1", "09:00") + "</room></day></schedule>";
    const Schedule schedule = parse(xml);
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(formatUtc(schedule.talks[0].start) == "2025-02-01T08:00:00Z");
}

BOOST_AUTO_TEST_CASE(keepsTheDayWithoutAnyRolloverRule) {
    const Schedule schedule =
        parse(pentabarf("", "2007-02-25", timedEvent("1", "01:00")), "Europe/Brussels");
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(formatUtc(schedule.talks[0].start) == "2007-02-25T00:00:00Z");
}

BOOST_DATA_TEST_CASE(prefersTheEventDateOverItsStart,
                     // DebConf23: <date> in UTC while <start> is the Kolkata wall clock.
                     bdata::make({"2023-09-10T04:30:00+00:00", "2023-09-10T10:00:00+05:30",
                                  "2023-09-10T04:30:00Z",
                                  // No offset: a wall-clock time in the conference zone.
                                  "2023-09-10T10:00:00", "2023-09-10 10:00"}),
                     date) {
    const Schedule schedule = parse(frab("2023-09-10T00:00:00+00:00",
                                         "<event id=\"1\"><date>" + std::string(date) +
                                             "</date><start>10:00</start><duration>00:45"
                                             "</duration><title>T</title></event>",
                                         "Asia/Kolkata"));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(formatUtc(schedule.talks[0].start) == "2023-09-10T04:30:00Z");
}

// Europe/Berlin switches to CEST on 2024-03-31 at 02:00 and back to CET on 2024-10-27 at 03:00.
// A duration is real elapsed time, so a 2 h talk from 01:30 ends at 04:30 CEST in March and at
// 02:30 CET in October.
BOOST_DATA_TEST_CASE(
    placesTalksAcrossDstSwitches,
    bdata::make({"", "", "", "", "06:00"}) ^
        bdata::make({"2024-03-31", "2024-03-31", "2024-10-27", "2024-10-27", "2024-10-26"}) ^
        bdata::make({"01:30", "02:30", "01:30", "02:30", "02:30"}) ^
        bdata::make({"2024-03-31T00:30:00Z",     // CET
                     "2024-03-31T01:00:00Z",     // in the gap: at the switch
                     "2024-10-26T23:30:00Z",     // CEST
                     "2024-10-27T00:30:00Z",     // twice: the earlier, CEST
                     "2024-10-27T00:30:00Z"}) ^  // day_change: next day
        bdata::make({"2024-03-31T02:30:00Z", "2024-03-31T03:00:00Z", "2024-10-27T01:30:00Z",
                     "2024-10-27T02:30:00Z", "2024-10-27T02:30:00Z"}),
    dayChange, day, start, utcStart, utcEnd) {
    const Schedule schedule =
        parse(pentabarf(dayChange, day, timedEvent("1", start, "02:00")), "Europe/Berlin");
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(formatUtc(schedule.talks[0].start) == utcStart);
    BOOST_TEST(formatUtc(schedule.talks[0].end()) == utcEnd);
}

BOOST_DATA_TEST_CASE(
    skipsABadEventAndKeepsTheRest,
    bdata::make({"<event id=\"7\" guid=\"g7\"><duration>00:30</duration><title>Broken</title>"
                 "</event>",
                 "<event id=\"7\"><start>25:00</start><duration>00:30</duration>"
                 "<title>Broken</title></event>",
                 "<event id=\"7\"><start>soon</start><duration>00:30</duration>"
                 "<title>Broken</title></event>",
                 "<event id=\"7\"><start>10:00</start><duration>1h</duration>"
                 "<title>Broken</title></event>",
                 "<event id=\"7\"><start>10:00</start><title>Broken</title></event>",
                 "<event id=\"7\"><start>10:00</start><duration> </duration>"
                 "<title>Broken</title></event>",
                 "<event id=\"7\"><date>tomorrow</date><start>10:00</start>"
                 "<duration>00:30</duration><title>Broken</title></event>",
                 "<event id=\"7\"><date>2024-02-30T10:00:00+01:00</date>"
                 "<duration>00:30</duration><title>Broken</title></event>"}) ^
        bdata::make({"neither a <date> nor a <start>", "its <start> \"25:00\"",
                     "its <start> \"soon\"", "its <duration> \"1h\"", "it has no <duration>",
                     "it has no <duration>", "its <date> \"tomorrow\"",
                     "its <date> \"2024-02-30T10:00:00+01:00\""}),
    badEvent, reason) {
    const Schedule schedule =
        parse(pentabarf("09:00:00", "2024-02-03",
                        timedEvent("1", "10:00") + badEvent + timedEvent("2", "11:00")),
              "Europe/Brussels");
    BOOST_REQUIRE(schedule.talks.size() == 2u);
    BOOST_TEST(schedule.talks[0].id == "1");
    BOOST_TEST(schedule.talks[1].id == "2");
    BOOST_REQUIRE(schedule.warnings.size() == 1u);
    BOOST_TEST_INFO("warning: " << schedule.warnings[0]);
    BOOST_TEST(schedule.warnings[0].find("Skipped event 7 \"Broken\": ") == 0u);
    BOOST_TEST(schedule.warnings[0].find(reason) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(needsAZoneForLocalTimes) {
    try {
        parse(pentabarf("09:00:00", "2024-02-03", timedEvent("1", "10:00")));
        BOOST_FAIL("a schedule without zone was read without --timezone");
    } catch (const ScheduleError& e) {
        const std::string message = e.what();
        BOOST_TEST(message.find(kSource + " names no time zone") == 0u);
        BOOST_TEST(message.find("--timezone ZONE") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(needsNoZoneWhenEveryEventHasADate) {
    const Schedule schedule = parse(R"(<schedule><conference><title>31C3</title></conference>
      <day date='2014-12-27' index='1' start='2014-12-27T11:00:00+01:00'><room name='Saal 1'>
      <event guid='g' id='6561'><date>2014-12-27T11:00:00+01:00</date><start>11:00</start>
      <duration>00:30</duration><title>31C3 Opening Event</title></event></room></day>
      </schedule>)");
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(formatUtc(schedule.talks[0].start) == "2014-12-27T10:00:00Z");
    BOOST_TEST(schedule.conference.timeZone.empty());
    BOOST_TEST(schedule.format == "frab XML");
}

BOOST_AUTO_TEST_CASE(rejectsAnUnknownTimezoneOptionEvenWithAScheduleZone) {
    BOOST_CHECK_EXCEPTION(
        parse(frab("2024-12-27T10:00:00+01:00", timedEvent("1", "11:00")), "Europe/Brussel"),
        ScheduleError, [](const ScheduleError& e) {
            const std::string message = e.what();
            return message.find(kSource) != std::string::npos &&
                   message.find("'Europe/Brussel'") != std::string::npos;
        });
}

BOOST_AUTO_TEST_CASE(usesTheScheduleZoneRatherThanTheOption) {
    const Schedule schedule =
        parse(frab("2024-07-01T10:00:00+01:00", timedEvent("1", "11:00"), "Europe/London"),
              "Europe/Berlin");
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(schedule.conference.timeZone == "Europe/London");
    BOOST_TEST(formatUtc(schedule.talks[0].start) == "2024-07-01T10:00:00Z");
}

BOOST_AUTO_TEST_CASE(warnsAboutAnUnknownScheduleZoneItDoesNotNeed) {
    const Schedule schedule = parse(frab("2024-12-27T10:00:00+01:00",
                                         "<event id=\"1\"><date>2024-12-27T11:00:00+01:00</date>"
                                         "<duration>00:30</duration><title>T</title></event>",
                                         "Berlin"));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(schedule.conference.timeZone.empty());
    BOOST_TEST(anyWarningHas(schedule, "unknown time zone 'Berlin'"));
}

BOOST_AUTO_TEST_CASE(failsOnAnUnknownScheduleZoneItNeeds) {
    BOOST_CHECK_EXCEPTION(
        parse(frab("2024-12-27T10:00:00+01:00", timedEvent("1", "11:00"), "Berlin")), ScheduleError,
        [](const ScheduleError& e) {
            const std::string message = e.what();
            return message.find(kSource) == 0 && message.find("'Berlin'") != std::string::npos &&
                   message.find("--timezone") != std::string::npos;
        });
}

BOOST_AUTO_TEST_CASE(readsAScheduleWithoutEvents) {
    const Schedule schedule = parse(
        "<schedule><conference><title>Empty</title></conference>"
        "</schedule>");
    BOOST_TEST(schedule.talks.empty());
    BOOST_TEST(schedule.conference.title == "Empty");
}

// A title nested 200 000 elements deep crashed every command that read the schedule (issue 11).
BOOST_AUTO_TEST_CASE(readsTextNestedFarDeeperThanTheStackAllows) {
    std::string open;
    std::string close;
    for (int i = 0; i < 200000; ++i) {
        open += "<i>";
        close += "</i>";
    }
    const Schedule schedule =
        parse("<schedule><conference><title>" + open + "Deep" + close +
              "</title><time_zone_name>Europe/Berlin</time_zone_name></conference>"
              "<day index=\"1\" date=\"2024-12-27\" start=\"2024-12-27T10:00:00+01:00\" "
              "end=\"x\"><room name=\"Saal 1\"><event id=\"1\"><date>2024-12-27T11:00:00+01:00"
              "</date><duration>00:30</duration><title>A<b>" +
              open + "B" + close + "</b>C</title></event></room></day></schedule>");
    BOOST_TEST(schedule.conference.title == "Deep");
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(schedule.talks[0].title == "ABC");
}

BOOST_AUTO_TEST_SUITE_END()
