#include "confcap/schedule/ScheduleParser.h"

#include <string>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "confcap/core/Error.h"

BOOST_AUTO_TEST_SUITE(ScheduleParserTest)

namespace bdata = boost::unit_test::data;
using confcap::core::ScheduleError;
using confcap::schedule::deriveRoomSlug;
using confcap::schedule::ParseOptions;
using confcap::schedule::parseSchedule;
using confcap::schedule::parseScheduleBool;
using confcap::schedule::parseScheduleDuration;

namespace {

const std::string kSource = "https://example.org/fahrplan/schedule.xml";

ParseOptions options() {
    ParseOptions o;
    o.source = kSource;
    return o;
}

/// The message parseSchedule throws for `bytes`, or "" when it does not throw ScheduleError.
std::string errorFor(const std::string& bytes) {
    try {
        parseSchedule(bytes, options());
    } catch (const ScheduleError& e) {
        return e.what();
    }
    return {};
}

constexpr const char* kFrabXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <conference><title>C</title><time_zone_name>Europe/Berlin</time_zone_name></conference>
  <day index="1" date="2024-12-27" start="2024-12-27T10:00:00+01:00" end="2024-12-28T04:00:00+01:00">
    <room name="Saal 1">
      <event id="1" guid="g1"><date>2024-12-27T11:00:00+01:00</date><start>11:00</start>
        <duration>00:30</duration><title>T</title></event>
    </room>
  </day>
</schedule>)";

}  // namespace

BOOST_DATA_TEST_CASE(parsesDurations,
                     bdata::make({"00:30", "0:00", "1:30", "9:05", "01:00", "24:00", " 00:45\n",
                                  "90", "0", "00:45:00", "01:30:00", "00:00:30", "1:30:00",
                                  "12:30:15", "1:02:30", "2:00:00", "1:00:00", "0:30:00"}) ^
                         bdata::make({1800, 0, 5400, 32700, 3600, 86400, 2700, 5400, 0, 2700, 5400,
                                      30, 5400,
                                      12 * 3600 + 30 * 60 + 15,    // B = 30 > 23: H:MM:SS
                                      86400 + 2 * 3600 + 30 * 60,  // D:HH:MM, as pretalx writes
                                      2 * 86400, 86400, 1800}),    // A = 0: H:MM:SS
                     text, seconds) {
    const auto parsed = parseScheduleDuration(text);
    BOOST_REQUIRE(parsed.has_value());
    BOOST_TEST(parsed->count() == seconds);
}

BOOST_DATA_TEST_CASE(rejectsMalformedDurations,
                     bdata::make({"",       " ",         "abc",     "1h",     "90m",   "PT45M",
                                  "1.5",    "1:5",       "1:60",    "-1:00",  "-30",   "1:00:00:00",
                                  ":30",    "1:",        "1::00",   "1:30:",  "1:2:3", "01:30:60",
                                  "0:30:5", "00:30 min", "1:24:60", "1234:00"}),
                     text) {
    BOOST_TEST(!parseScheduleDuration(text).has_value());
}

BOOST_DATA_TEST_CASE(parsesBooleans,
                     bdata::make({"true", "True", "TRUE", "1", " true\n", "false", "False", "0",
                                  "FALSE"}) ^
                         bdata::make({true, true, true, true, true, false, false, false, false}),
                     text, value) {
    const auto parsed = parseScheduleBool(text);
    BOOST_REQUIRE(parsed.has_value());
    BOOST_TEST(*parsed == value);
}

BOOST_DATA_TEST_CASE(rejectsOtherBooleans,
                     bdata::make({"", "yes", "no", "t", "f", "2", "truee", "on", "-1"}), text) {
    BOOST_TEST(!parseScheduleBool(text).has_value());
}

BOOST_DATA_TEST_CASE(derivesFosdemRoomSlugs,
                     bdata::make({"UA2.118 (Henriot)", "K.1.105 (La Fontaine)", "Janson", "D.go",
                                  "D.declarative.minimalistic", "Saal 1", "Aula (Main) Hall",
                                  "Café Ü", "", "(only)"}) ^
                         bdata::make({"ua2118", "k1105", "janson", "dgo",
                                      "ddeclarativeminimalistic", "saal1", "aulahall", "caf", "",
                                      ""}),
                     name, slug) {
    BOOST_TEST(deriveRoomSlug(name) == slug);
}

BOOST_DATA_TEST_CASE(
    detectsTheDialectFromTheContent,
    bdata::make(
        {std::string(kFrabXml),
         // No XML declaration (c3voc merged), a byte order mark and leading blank lines.
         std::string("\xEF\xBB\xBF\n\n") + std::string(kFrabXml).substr(39),
         std::string(R"(<?xml version='1.0' encoding='utf-8' ?>
<!-- Made with love by pretalx v2.2.0. -->
<schedule><generator name="pretalx" version="2.2.0" />
  <conference><title>P</title><time_zone_name>Europe/Berlin</time_zone_name></conference>
  <day index='1' date='2020-09-04' start='2020-09-04T04:00:00+02:00' end='2020-09-05T03:59:00+02:00'>
    <room name='R'><event guid='g' id='1'><date>2020-09-04T18:00:00+02:00</date>
      <start>18:00</start><duration>00:15</duration><title>T</title></event></room>
  </day>
</schedule>)"),
         std::string(R"(<schedule><conference><title>FOSDEM</title><day_change>09:00:00</day_change>
  </conference><day index="1" date="2024-02-03"><room name="Janson"><event id="1">
  <start>10:00</start><duration>00:50</duration><title>T</title></event></room></day></schedule>)"),
         // Pentabarf without day_change: no <date> and no day@start anywhere.
         std::string(R"(<schedule><conference><title>Old</title></conference>
  <day index="1" date="2007-02-25"><event id="0"><start>15:00</start><duration>00:45</duration>
  <room>Chavanne</room><title>AIGLX</title></event></day></schedule>)"),
         std::string(R"({"schedule": {"version": "1", "conference": {"title": "C",
  "time_zone_name": "Europe/Berlin", "days": [{"index": 1, "date": "2019-08-21",
  "day_start": "2019-08-21T09:00:00+02:00", "rooms": {"Curie": [{"id": 1, "guid": "g",
  "date": "2019-08-21T11:00:00+02:00", "start": "11:00", "duration": "00:30", "title": "T"}]}}]}}})"),
         std::string(R"(  {"schedule": {"version": "1", "conference": {"title": "C",
  "acronym": "c", "days": []}, "events": [{"guid": "g", "title": "T", "room": {"guid": "r"},
  "start": "2024-12-27T10:30:00+01:00", "end": "2024-12-27T11:00:00+01:00"}]}})")}) ^
        bdata::make({"frab XML", "frab XML", "pretalx XML", "pentabarf XML", "pentabarf XML",
                     "frab JSON", "schedule2 JSON"}),
    bytes, format) {
    ParseOptions o = options();
    o.timeZone = "Europe/Brussels";
    const auto schedule = parseSchedule(bytes, o);
    BOOST_TEST(schedule.format == format);
    BOOST_TEST(schedule.talks.size() == 1u);
    BOOST_TEST(schedule.warnings.empty());
}

BOOST_DATA_TEST_CASE(
    rejectsWhatIsNotASchedule,
    bdata::make({std::string(), std::string(" \n\t\r\n"), std::string("\xEF\xBB\xBF"),
                 std::string("<!DOCTYPE html>\n<html lang=\"en\"><head><title>404 Not Found"
                             "</title></head><body><h1>Not Found</h1><br></body></html>"),
                 std::string("<html><body>502 Bad Gateway</body></html>"),
                 std::string("\n<!-- proxy --><HTML><BODY>Login required</BODY></HTML>"),
                 std::string("<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/"
                             "xhtml\"><body><p>moved</p></body></html>"),
                 std::string("<?xml version=\"1.0\"?><rss><channel/></rss>"), std::string("{}"),
                 std::string("[{\"conference\": \"35C3\", \"groups\": []}]"),
                 std::string("{\"schedule\": {\"version\": \"1\"}}"),
                 std::string("{\"schedule\": "), std::string("Not Found"), std::string("42")}) ^
        bdata::make({"is empty", "is empty", "is empty", "looks like an HTML page",
                     "looks like an HTML page", "looks like an HTML page",
                     "looks like an HTML page", "its root element is <rss>",
                     "JSON but not a schedule", "JSON but not a schedule",
                     "JSON but not a schedule", "is not valid JSON", "neither XML nor JSON",
                     "neither XML nor JSON"}),
    bytes, phrase) {
    const std::string message = errorFor(bytes);
    BOOST_TEST_INFO("message: " << message);
    BOOST_TEST(message.find(kSource) == 0u);
    BOOST_TEST(message.find(phrase) != std::string::npos);
}

BOOST_DATA_TEST_CASE(reportsTheLineOfMalformedXml,
                     bdata::make({
                         // Cut off in the middle of line 6.
                         std::string("<?xml version=\"1.0\"?>\n<schedule>\n"
                                     "<conference><title>T</title></conference>\n"
                                     "<day index=\"1\" date=\"2024-01-01\">\n<room name=\"A\">\n"
                                     "<event id=\"1\"><title>X</tit"),
                         // A mismatched end tag on line 3, with more lines after it.
                         std::string("<schedule>\n<conference>\n<title>T</titel>\n"
                                     "</conference>\n</schedule>\n"),
                         // An unquoted attribute on line 2 (CRLF line ends).
                         std::string("<schedule>\r\n<day index=1 date=\"2024-01-01\">"
                                     "</day>\r\n</schedule>\r\n"),
                     }) ^ bdata::make({"line 6.", "line 3.", "line 2."}),
                     bytes, line) {
    const std::string message = errorFor(bytes);
    BOOST_TEST_INFO("message: " << message);
    BOOST_TEST(message.find(kSource + " is not well-formed XML") == 0u);
    BOOST_TEST(message.find(line) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
