#include "confcap/schedule/JsonScheduleParser.h"

#include <string>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "confcap/core/Error.h"

BOOST_AUTO_TEST_SUITE(JsonScheduleParserTest)

namespace bdata = boost::unit_test::data;
using confcap::core::formatUtc;
using confcap::core::ScheduleError;
using confcap::schedule::JsonScheduleParser;
using confcap::schedule::ParseOptions;
using confcap::schedule::Schedule;
using confcap::schedule::Talk;

namespace {

const std::string kSource = "https://example.org/schedule.json";

Schedule parse(const std::string& json, std::optional<std::string> zone = std::nullopt) {
    ParseOptions options;
    options.source = kSource;
    options.timeZone = std::move(zone);
    return JsonScheduleParser(options).parse(json);
}

/// A frab v1 document with one day (starting 09:00 local) whose room "Curie" holds `event`.
std::string frabWith(const std::string& event,
                     const std::string& zoneField = R"("time_zone_name": "Europe/Berlin",)") {
    return R"({"schedule": {"version": "v", "conference": {"acronym": "camp2019",
      "title": "Camp", )" +
           zoneField + R"( "days": [{"index": 1, "date": "2019-08-21",
      "day_start": "2019-08-21T09:00:00+02:00", "day_end": "2019-08-22T04:00:00+02:00",
      "rooms": {"Curie": [)" +
           event + "]}}]}}}";
}

constexpr const char* kTwoRooms = R"({
  "schedule": {
    "version": "1.3",
    "conference": {
      "acronym": "rc3-channels-2020", "title": "rC3 Channels", "daysCount": 2,
      "rooms": [{"name": "r3s - Monheim/Rhein", "guid": "5b7e4c0a-0000-4000-8000-00000000000a",
                 "slug": "r3s"}],
      "days": [
        {"index": 1, "date": "2020-12-27", "day_start": "2020-12-27T04:00:00+01:00",
         "day_end": "2020-12-28T03:59:00+01:00",
         "rooms": {
           "r3s - Monheim/Rhein": [
             {"id": 15, "guid": "c3642671-4c1f-5109-81ba-0535c1cc8428", "logo": "",
              "date": "2020-12-27T11:30:00+01:00", "start": "11:30", "duration": "00:40",
              "room": "r3s - Monheim/Rhein", "slug": "MJA8QY", "url": "https://x/talk/MJA8QY/",
              "title": "Der faule Admin", "subtitle": "", "track": "MON", "type": "Talk",
              "language": "de", "abstract": "Eine \u00c4nderung.\r\nZweite Zeile.",
              "do_not_record": false,
              "persons": [{"id": 7, "code": "ABC", "public_name": "Jane"}]}
           ],
           "backspace / franconian.net - Bamberg": [
             {"id": "16", "guid": "g16", "date": "2020-12-28T00:30:00+01:00", "start": "00:30",
              "duration": "1:02:30", "room": "backspace / franconian.net - Bamberg",
              "title": "Night", "do_not_record": "True", "do_not_stream": true,
              "persons": [{"guid": "p-guid", "name": "Joe"}]}
           ],
           "Aardvark": []
         }}
      ]
    }
  }
})";

}  // namespace

BOOST_AUTO_TEST_CASE(readsFrabJsonInDocumentOrder) {
    const Schedule schedule = parse(kTwoRooms);
    BOOST_TEST(schedule.format == "frab JSON");
    BOOST_TEST(schedule.conference.title == "rC3 Channels");
    BOOST_TEST(schedule.conference.acronym == "rc3-channels-2020");
    BOOST_TEST(schedule.conference.timeZone.empty());
    BOOST_TEST(schedule.conference.dayDates == std::vector<std::string>{"2020-12-27"});
    // The rooms keep the order of the file, not the alphabetical one.
    BOOST_REQUIRE(schedule.rooms.size() == 3u);
    BOOST_TEST(schedule.rooms[0].name == "r3s - Monheim/Rhein");
    BOOST_TEST(schedule.rooms[1].name == "backspace / franconian.net - Bamberg");
    BOOST_TEST(schedule.rooms[2].name == "Aardvark");
    BOOST_REQUIRE(schedule.talks.size() == 2u);

    const Talk& first = schedule.talks[0];
    BOOST_TEST(first.id == "15");
    BOOST_TEST(first.guid == "c3642671-4c1f-5109-81ba-0535c1cc8428");
    BOOST_TEST(first.title == "Der faule Admin");
    BOOST_TEST(first.room == "r3s - Monheim/Rhein");
    BOOST_TEST(first.roomGuid == "5b7e4c0a-0000-4000-8000-00000000000a");
    BOOST_TEST(first.slug == "MJA8QY");
    BOOST_TEST(first.track == "MON");
    BOOST_TEST(first.language == "de");
    BOOST_TEST(first.abstract == "Eine \xC3\x84nderung.\r\nZweite Zeile.");
    BOOST_TEST(formatUtc(first.start) == "2020-12-27T10:30:00Z");
    BOOST_TEST(first.duration.count() == 2400);
    BOOST_TEST(first.day == 1);
    BOOST_TEST(!first.doNotRecord);
    BOOST_REQUIRE(first.persons.size() == 1u);
    BOOST_TEST(first.persons[0].name == "Jane");
    BOOST_TEST(first.persons[0].id == "7");

    const Talk& night = schedule.talks[1];
    BOOST_TEST(night.id == "16");
    BOOST_TEST(night.roomGuid.empty());
    BOOST_TEST(formatUtc(night.start) == "2020-12-27T23:30:00Z");
    BOOST_TEST(night.duration.count() == 86400 + 2 * 3600 + 30 * 60);  // pretalx D:HH:MM
    BOOST_TEST(night.doNotRecord);
    BOOST_TEST(night.doNotStream);
    BOOST_REQUIRE(night.persons.size() == 1u);
    BOOST_TEST(night.persons[0].name == "Joe");
    BOOST_TEST(night.persons[0].id == "p-guid");
}

BOOST_DATA_TEST_CASE(prefersEndOverDuration,
                     bdata::make({R"("end": "2020-12-27T12:45:00+01:00", "duration": "00:40")",
                                  R"("end": "2020-12-27T11:45:00Z", "duration": "00:40")",
                                  R"("end": "garbled", "duration": "00:40")",
                                  R"("end": "2020-12-27T10:00:00+01:00", "duration": "00:40")",
                                  R"("end": null, "duration": "00:40")",
                                  R"("duration": "00:40")"}) ^
                         bdata::make({4500, 4500, 2400, 2400, 2400, 2400}),
                     fields, seconds) {
    const Schedule schedule = parse(frabWith(R"({"id": 1, "guid": "g", "title": "T",
                           "date": "2020-12-27T11:30:00+01:00", )" +
                                             std::string(fields) + "}"));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(schedule.talks[0].duration.count() == seconds);
}

// Without "date" the day's date and "start" apply in the conference zone; a start earlier than
// the time of day_start (09:00) is after midnight.
BOOST_DATA_TEST_CASE(fallsBackToTheDayAndStart,
                     bdata::make({"11:00", "00:30", "08:59", "09:00"}) ^
                         bdata::make({"2019-08-21T09:00:00Z", "2019-08-21T22:30:00Z",
                                      "2019-08-22T06:59:00Z", "2019-08-21T07:00:00Z"}),
                     start, utc) {
    const Schedule schedule = parse(frabWith(R"({"id": 1, "guid": "g", "title": "T", "start": ")" +
                                             std::string(start) + R"(", "duration": "00:30"})"));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(formatUtc(schedule.talks[0].start) == utc);
}

BOOST_AUTO_TEST_CASE(needsAZoneForStartsWithoutDate) {
    BOOST_CHECK_EXCEPTION(
        parse(frabWith(R"({"id": 1, "title": "T", "start": "11:00", "duration": "00:30"})", "")),
        ScheduleError, [](const ScheduleError& e) {
            const std::string message = e.what();
            return message.find(kSource + " names no time zone") == 0 &&
                   message.find("--timezone") != std::string::npos;
        });
    const Schedule schedule =
        parse(frabWith(R"({"id": 1, "title": "T", "start": "11:00", "duration": "00:30"})", ""),
              "Europe/Berlin");
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(formatUtc(schedule.talks[0].start) == "2019-08-21T09:00:00Z");
}

BOOST_DATA_TEST_CASE(
    skipsABadEventAndKeepsTheRest,
    bdata::make({R"("duration": "00:30")", R"("start": "25:00", "duration": "00:30")",
                 R"("date": "soon", "duration": "00:30")",
                 R"("date": "2019-08-21T12:00:00+02:00", "duration": "ninety")",
                 R"("date": "2019-08-21T12:00:00+02:00")",
                 // Out of range rejected the whole schedule (issue 11).
                 R"("date": "2019-08-21T12:00:00+02:00", "duration": "00:30",
                     "do_not_record": 18446744073709551615)",
                 R"("date": "2019-08-21T12:00:00+02:00", "duration": "00:30",
                     "do_not_stream": 123456789012345678901234567890)"}) ^
        bdata::make({"neither a date nor a start", "its start \"25:00\"", "its date \"soon\"",
                     "its duration \"ninety\"", "neither a usable end nor a duration",
                     "its do_not_record 18446744073709551615 is out of range",
                     "its do_not_stream 123456789012345678901234567890 is out of range"}),
    fields, reason) {
    const std::string good =
        R"({"id": 1, "title": "Good", "date": "2019-08-21T11:00:00+02:00", "duration": "00:30"})";
    const Schedule schedule =
        parse(frabWith(good + R"(, {"id": 7, "guid": "g7", "title": "Broken", )" +
                       std::string(fields) + "}, " + good));
    BOOST_TEST(schedule.talks.size() == 2u);
    BOOST_REQUIRE(schedule.warnings.size() == 1u);
    BOOST_TEST_INFO("warning: " << schedule.warnings[0]);
    BOOST_TEST(schedule.warnings[0].find("Skipped event 7 \"Broken\": ") == 0u);
    BOOST_TEST(schedule.warnings[0].find(reason) != std::string::npos);
}

constexpr const char* kSchedule2 = R"({
  "$schema": "../schema2.json",
  "schedule": {
    "version": "2024-12-26 20:23",
    "conference": {
      "acronym": "38c3", "title": "38C3",
      "start": "2024-12-27T09:30:00+00:00", "end": "2024-12-30T17:45:00+00:00",
      "time_zone_name": "Europe/Berlin",
      "tracks": [{"name": "Hardware & Making", "slug": "hardware-making"}],
      "rooms": [
        {"name": "Saal 1", "slug": "saal-1", "guid": "ba692ba3-421b-5371-8309-60acc34a3c05",
         "stream_id": "s1"},
        {"name": "Saal ZIGZAG", "slug": "saal-zigzag",
         "guid": "62251a07-13e4-5a72-bb3c-8528416ee0f2", "stream_id": "s3"}
      ],
      "days": [
        {"index": 1, "date": "2024-12-27", "start": "2024-12-27T09:30:00+00:00",
         "end": "2024-12-28T06:00:00+01:00"},
        {"index": 2, "date": "2024-12-28", "start": "2024-12-28T06:00:00+01:00",
         "end": "2024-12-29T06:00:00+01:00"}
      ]
    },
    "events": [
      {"type": "talk", "guid": "b1740c2f-0c44-5f1b-89ed-456a9eecf0b8",
       "start": "2024-12-28T00:15:00+01:00", "end": "2024-12-28T00:55:00+01:00",
       "room": {"guid": "62251a07-13e4-5a72-bb3c-8528416ee0f2"},
       "slug": "38c3-a-competitive-time-trial-ai", "title": "A Competitive Time-Trial AI",
       "subtitle": null, "language": "en", "track": {"slug": "hardware-making"},
       "abstract": {"de": "Deutsch", "en": "English"},
       "participants": [{"guid": "51766dc0", "name": "Sebastian Schwarz", "role": "speaker"}]},
      {"type": "other", "guid": "270fa44c-821a-577f-8ca3-33e8d4a8c2a7",
       "start": "2024-12-28T10:30:00+01:00", "end": "2024-12-28T11:00:00+01:00",
       "room": {"name": "Saal 1", "slug": "saal-1", "guid": "ba692ba3-421b-5371-8309-60acc34a3c05"},
       "title": "Opening", "track": null, "abstract": null, "participants": []},
      {"type": "talk", "guid": "c0ffee00-0000-4000-8000-000000000000", "state": "CANCELED",
       "start": "2024-12-28T12:00:00+01:00", "end": "2024-12-28T12:40:00+01:00",
       "room": {"guid": "ba692ba3-421b-5371-8309-60acc34a3c05"}, "title": "Gone"}
    ]
  }
})";

BOOST_AUTO_TEST_CASE(readsSchedule2FlatEvents) {
    const Schedule schedule = parse(kSchedule2);
    BOOST_TEST(schedule.format == "schedule2 JSON");
    BOOST_TEST(schedule.conference.timeZone == "Europe/Berlin");
    BOOST_REQUIRE(schedule.rooms.size() == 2u);
    BOOST_TEST(schedule.rooms[0].slug == "saal-1");
    BOOST_REQUIRE(schedule.talks.size() == 2u);

    const Talk& night = schedule.talks[0];
    BOOST_TEST(night.guid == "b1740c2f-0c44-5f1b-89ed-456a9eecf0b8");
    BOOST_TEST(night.room == "Saal ZIGZAG");  // the room reference carries only the guid
    BOOST_TEST(night.roomGuid == "62251a07-13e4-5a72-bb3c-8528416ee0f2");
    BOOST_TEST(night.track == "Hardware & Making");
    BOOST_TEST(night.abstract == "English");
    BOOST_TEST(formatUtc(night.start) == "2024-12-27T23:15:00Z");
    BOOST_TEST(night.duration.count() == 2400);
    BOOST_TEST(night.day == 1);  // after midnight, still inside day 1's window
    BOOST_TEST(night.dayDate == "2024-12-27");
    BOOST_REQUIRE(night.persons.size() == 1u);
    BOOST_TEST(night.persons[0].name == "Sebastian Schwarz");

    BOOST_TEST(schedule.talks[1].room == "Saal 1");
    BOOST_TEST(schedule.talks[1].day == 2);
    BOOST_TEST(schedule.talks[1].subtitle.empty());

    BOOST_REQUIRE(schedule.warnings.size() == 1u);
    BOOST_TEST(schedule.warnings[0] ==
               "Skipped event c0ffee00-0000-4000-8000-000000000000 "
               "\"Gone\": it is cancelled.");
}

BOOST_DATA_TEST_CASE(rejectsJsonThatIsNotASchedule,
                     bdata::make({"[]", "{\"schedule\": []}", "{\"conference\": {\"days\": []}}",
                                  "{\"schedule\": {\"events\": []}}",
                                  "{\"schedule\": {\"a\": 1,}}"}),
                     json) {
    BOOST_CHECK_EXCEPTION(parse(json), ScheduleError, [](const ScheduleError& e) {
        return std::string(e.what()).find(kSource) == 0;
    });
}

// Poco's parser read 2^64 as 0 and rejected the whole document for a 30-digit number (issue 11).
BOOST_AUTO_TEST_CASE(keepsTheDigitsOfNumbersBeyondSixtyFourBits) {
    const auto event = [](const std::string& id, const std::string& duration) {
        return R"({"id": )" + id + R"(, "title": "T", "date": "2019-08-21T11:00:00+02:00", )" +
               R"("duration": )" + duration + "}";
    };
    const Schedule schedule =
        parse(frabWith(event("18446744073709551616", R"("00:30")") + ", " +
                       event("123456789012345678901234567890", R"("00:30")") + ", " +
                       event("-9223372036854775809", R"("00:30")") + ", " + event("7", "1e999")));
    BOOST_REQUIRE(schedule.talks.size() == 3u);
    BOOST_TEST(schedule.talks[0].id == "18446744073709551616");
    BOOST_TEST(schedule.talks[1].id == "123456789012345678901234567890");
    BOOST_TEST(schedule.talks[2].id == "-9223372036854775809");
    BOOST_REQUIRE(schedule.warnings.size() == 1u);
    BOOST_TEST(schedule.warnings[0] ==
               "Skipped event 7 \"T\": its duration \"1e999\" is not a schedule duration.");
}

BOOST_AUTO_TEST_CASE(leavesNumbersInsideStringsAlone) {
    const Schedule schedule = parse(
        frabWith(R"({"id": 5, "title": "Pi is 3.14159265358979323846264338327950288 \" 1e999", )"
                 R"("date": "2019-08-21T11:00:00+02:00", "duration": "00:30"})"));
    BOOST_REQUIRE(schedule.talks.size() == 1u);
    BOOST_TEST(schedule.talks[0].id == "5");
    BOOST_TEST(schedule.talks[0].title == "Pi is 3.14159265358979323846264338327950288 \" 1e999");
}

BOOST_AUTO_TEST_SUITE_END()
