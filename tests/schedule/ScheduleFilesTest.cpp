// parseSchedule on the real schedules in tests/data/schedules (see its README.md):
// talk counts, hand-checked talks, and the parse time of the largest file.
#include "confcap/schedule/ScheduleParser.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "confcap/core/Error.h"
#include "support/ScheduleTalks.h"
#include "support/TestData.h"

BOOST_AUTO_TEST_SUITE(ScheduleFilesTest)

namespace bdata = boost::unit_test::data;
using confcap::core::formatUtc;
using confcap::core::ScheduleError;
using confcap::schedule::ParseOptions;
using confcap::schedule::parseSchedule;
using confcap::schedule::parseScheduleInPlace;
using confcap::schedule::Schedule;
using confcap::schedule::Talk;
using confcap::testing::talkWithId;

namespace {

std::string pathOf(const std::string& file) {
    return confcap::testing::testDataPath("schedules/" + file);
}

std::string readFile(const std::string& file) {
    return confcap::testing::testData("schedules/" + file);
}

/// FOSDEM's files name no zone; FOSDEM is in Brussels.
std::optional<std::string> zoneFor(const std::string& file) {
    if (file.rfind("fosdem", 0) == 0) {
        return std::string("Europe/Brussels");
    }
    return std::nullopt;
}

/// What parsing `bytes` throws, from a copy (copy == true) or in place; empty when it parses.
std::string errorOf(const std::string& bytes, bool copy) {
    ParseOptions options;
    options.source = "broken.xml";
    options.timeZone = "Europe/Berlin";
    try {
        if (copy) {
            parseSchedule(bytes, options);
        } else {
            parseScheduleInPlace(std::string(bytes), options);
        }
    } catch (const ScheduleError& e) {
        return e.what();
    }
    return {};
}

const Schedule& parsed(const std::string& file) {
    static std::map<std::string, Schedule> cache;
    auto it = cache.find(file);
    if (it == cache.end()) {
        ParseOptions options;
        options.source = pathOf(file);
        options.timeZone = zoneFor(file);
        it = cache.emplace(file, parseSchedule(readFile(file), options)).first;
    }
    return it->second;
}

/// The document without its <date> elements, so that every start comes from day and <start>.
std::string withoutEventDates(std::string xml) {
    std::string out;
    out.reserve(xml.size());
    std::size_t pos = 0;
    while (true) {
        const std::size_t open = xml.find("<date>", pos);
        if (open == std::string::npos) {
            break;
        }
        const std::size_t close = xml.find("</date>", open);
        out.append(xml, pos, open - pos);
        pos = close + 7;
    }
    out.append(xml, pos);
    return out;
}

struct Golden {
    const char* file;
    const char* id;
    const char* title;
    const char* startUtc;
    long long seconds;
    const char* room;
    int day;
    bool doNotRecord;
};

std::ostream& operator<<(std::ostream& out, const Golden& g) {
    return out << g.file << " event " << g.id;
}

// Each row read off the file text. Starts with <date> are that value converted to UTC; the
// others are day@date + <start> in Europe/Brussels (CET, UTC+1 in February).
const std::vector<Golden> kGolden = {
    // 38C3: the first event; <date> 10:30+01:00.
    {"38c3-fahrplan-20251206.xml", "2", "38C3: Opening Ceremony", "2024-12-27T09:30:00Z", 1800,
     "Saal 1", 1, false},
    // Saal 1 on day 1 lists 10:30, 19:15, then this 11:00+01:00 talk: out of time order.
    {"38c3-fahrplan-20251206.xml", "91",
     "Correctiv-Recherche \"Geheimplan gegen Deutschland\" \xE2\x80\x93 1 Jahr danach",
     "2024-12-27T10:00:00Z", 2400, "Saal 1", 1, false},
    // Listed under day 1 (2024-12-27) with <date>2024-12-28T00:15:00+01:00: after midnight.
    {"38c3-fahrplan-20251206.xml", "248", nullptr, "2024-12-27T23:15:00Z", 2400, "Saal 1", 1,
     false},
    // Day 1 again, <date>2024-12-28T01:10:00+01:00, 01:30 long.
    {"38c3-fahrplan-20251206.xml", "215", nullptr, "2024-12-28T00:10:00Z", 5400, "Saal 1", 1,
     false},
    // <do_not_stream>True</do_not_stream> and <optout>true</optout>.
    {"38c3-fahrplan-20251206.xml", "679831", "Breitband Deutschlandfunk Kultur",
     "2024-12-28T12:00:00Z", 3600, "Saal X 07", 2, true},
    // The last event; its room name holds quotes (&quot;).
    {"38c3-fahrplan-20251206.xml", "956523", "Wondrous mathematics: Large numbers grow on trees",
     "2024-12-30T11:00:00Z", 2700, "\"KliMathematik Augsburg\" Table", 4, false},
    {"31c3-frab-v1.5.xml", "6561", "31C3 Opening Event", "2014-12-27T10:00:00Z", 1800, "Saal 1", 1,
     false},
    // Day 1, <date>2014-12-28T00:00:00+01:00, 02:15 long, optout true.
    {"31c3-frab-v1.5.xml", "6581", "Citizenfour", "2014-12-27T23:00:00Z", 8100, "Saal 1", 1, true},
    // Day 2, <date>2014-12-29T00:15:00+01:00; guid Mw1wjnNzwxzSkM3Ip5Lg0g is not a UUID.
    {"31c3-frab-v1.5.xml", "6109", "Fnord News Show", "2014-12-28T23:15:00Z", 5400, "Saal 1", 2,
     false},
    {"31c3-frab-v1.5.xml", "6607", "Security Nightmares (Stream)", "2014-12-30T16:15:00Z", 3600,
     "Saal 6", 4, false},
    // pretalx, CEST (+02:00).
    {"divoc-ptt-pretalx-2.2.xml", "238", "Opening", "2020-09-04T16:00:00Z", 900, "Schneider-Hoover",
     1, false},
    // Day 1 with <date>2020-09-05T01:30:00+02:00.
    {"divoc-ptt-pretalx-2.2.xml", "242", nullptr, "2020-09-04T23:30:00Z", 3600, "Schneider-Hoover",
     1, true},
    // Listed under day 2, whose bounds are 2020-09-05 04:00 to 2020-09-06 03:59, with
    // <date>2020-09-05T03:30:00+02:00: before its own day's start; <date> decides.
    {"divoc-ptt-pretalx-2.2.xml", "244", "Gora & Eloy", "2020-09-05T01:30:00Z", 3600,
     "Schneider-Hoover", 2, true},
    {"divoc-ptt-pretalx-2.2.xml", "239", "Closing", "2020-09-06T15:30:00Z", 1800,
     "Schneider-Hoover", 3, false},
    // Day 1 (2024-02-03), <start>10:30 Brussels = 09:30Z.
    {"fosdem2024-pentabarf.xml", "10528", "Creative Coding with TurtleStitch",
     "2024-02-03T09:30:00Z", 3600, "J.1.106", 1, false},
    // Day 2 (2024-02-04), <start>09:30 Brussels = 08:30Z.
    {"fosdem2024-pentabarf.xml", "10916", "A universal data model for localizable messages",
     "2024-02-04T08:30:00Z", 1800, "K.3.201", 2, false},
    {"fosdem2024-pentabarf.xml", "11200", nullptr, "2024-02-04T15:30:00Z", 1800,
     "UD2.208 (Decroly)", 2, false},
    // No <room> elements: the room comes from <event><room>. Day 1 is 2007-02-25, 15:00.
    {"fosdem2007-pentabarf-noroom.xml", "0", "AIGLX", "2007-02-25T14:00:00Z", 2700, "Chavanne", 1,
     false},
    {"fosdem2007-pentabarf-noroom.xml", "218", "Video on Dope", "2007-02-26T14:00:00Z", 3600,
     "AW1.121", 2, false},
    {"json-frab-camp2019.json", "10386", "Opening Ceremony", "2019-08-21T09:00:00Z", 1800, "Curie",
     1, false},
    {"json-frab-camp2019.json", "10352", "Visualization of networks using physics",
     "2019-08-25T14:00:00Z", 2700, "Meitner", 5, false},
    {"json-pretalx-rc3.json", "15",
     "Der faule Admin automatisiert: Gluon auf echter Hardware testen", "2020-12-27T10:30:00Z",
     2400, "r3s - Monheim/Rhein", 1, false},
    {"json-pretalx-rc3.json", "8", "selbstmachradio", "2020-12-28T20:30:00Z", 7200,
     "r3s - Monheim/Rhein", 2, true},
    {"json-pretalx-rc3.json", "110", "Climate Change and the Corona Pandemic",
     "2020-12-30T15:00:00Z", 2400, "hacc M\xC3\xBCnchen / about:future - M\xC3\xBCnchen", 4, true},
};

}  // namespace

BOOST_DATA_TEST_CASE(parsesEveryTalk,
                     bdata::make({"38c3-fahrplan-20251206.xml", "31c3-frab-v1.5.xml",
                                  "divoc-ptt-pretalx-2.2.xml", "fosdem2024-pentabarf.xml",
                                  "fosdem2007-pentabarf-noroom.xml", "json-frab-camp2019.json",
                                  "json-pretalx-rc3.json"}) ^
                         bdata::make({1007, 138, 23, 674, 215, 79, 48}) ^
                         bdata::make({72, 4, 1, 32, 18, 2, 5}) ^
                         bdata::make({"frab XML", "frab XML", "pretalx XML", "pentabarf XML",
                                      "pentabarf XML", "frab JSON", "frab JSON"}) ^
                         bdata::make({"Europe/Berlin", "", "Europe/Berlin", "Europe/Brussels",
                                      "Europe/Brussels", "Europe/Berlin", ""}),
                     file, talks, rooms, format, zone) {
    const Schedule& schedule = parsed(file);
    BOOST_TEST(schedule.talks.size() == static_cast<std::size_t>(talks));
    BOOST_TEST(schedule.rooms.size() == static_cast<std::size_t>(rooms));
    BOOST_TEST(schedule.format == format);
    BOOST_TEST(schedule.conference.timeZone == zone);
    BOOST_TEST(schedule.warnings.empty());
    for (const Talk& talk : schedule.talks) {
        BOOST_TEST_INFO("talk " << talk.id);
        BOOST_TEST(schedule.findRoom(talk.room) != nullptr);
    }
}

BOOST_DATA_TEST_CASE(readsOptouts,
                     bdata::make({"38c3-fahrplan-20251206.xml", "31c3-frab-v1.5.xml",
                                  "divoc-ptt-pretalx-2.2.xml", "json-pretalx-rc3.json",
                                  "json-frab-camp2019.json"}) ^
                         bdata::make({25, 2, 8, 3, 0}) ^ bdata::make({3, 0, 0, 0, 0}),
                     file, doNotRecord, doNotStream) {
    const Schedule& schedule = parsed(file);
    const auto optedOut = std::count_if(schedule.talks.begin(), schedule.talks.end(),
                                        [](const Talk& talk) { return talk.doNotRecord; });
    const auto unstreamed = std::count_if(schedule.talks.begin(), schedule.talks.end(),
                                          [](const Talk& talk) { return talk.doNotStream; });
    BOOST_TEST(optedOut == doNotRecord);
    BOOST_TEST(unstreamed == doNotStream);
}

BOOST_DATA_TEST_CASE(pinsHandCheckedTalks, bdata::make(kGolden), golden) {
    const Schedule& schedule = parsed(golden.file);
    const Talk& talk = talkWithId(schedule, golden.id);
    if (golden.title != nullptr) {
        BOOST_TEST(talk.title == golden.title);
    }
    BOOST_TEST(formatUtc(talk.start) == golden.startUtc);
    BOOST_TEST(talk.duration.count() == golden.seconds);
    BOOST_TEST(talk.room == golden.room);
    BOOST_TEST(talk.day == golden.day);
    BOOST_TEST(talk.doNotRecord == golden.doNotRecord);
}

BOOST_DATA_TEST_CASE(keepsTheFilesOrder,
                     bdata::make({"38c3-fahrplan-20251206.xml", "31c3-frab-v1.5.xml",
                                  "divoc-ptt-pretalx-2.2.xml", "fosdem2024-pentabarf.xml",
                                  "fosdem2007-pentabarf-noroom.xml", "json-frab-camp2019.json",
                                  "json-pretalx-rc3.json"}) ^
                         bdata::make({"2", "6561", "238", "10528", "0", "10386", "15"}) ^
                         bdata::make({"956523", "6607", "239", "11200", "218", "10352", "110"}),
                     file, firstId, lastId) {
    const Schedule& schedule = parsed(file);
    BOOST_REQUIRE(!schedule.talks.empty());
    BOOST_TEST(schedule.talks.front().id == firstId);
    BOOST_TEST(schedule.talks.back().id == lastId);
}

BOOST_AUTO_TEST_CASE(readsRoomGuidsAndLegacyEventGuids) {
    const Schedule& congress = parsed("38c3-fahrplan-20251206.xml");
    BOOST_TEST(std::all_of(congress.rooms.begin(), congress.rooms.end(),
                           [](const auto& room) { return !room.guid.empty(); }));
    BOOST_TEST(std::all_of(congress.talks.begin(), congress.talks.end(), [&](const Talk& talk) {
        return talk.roomGuid == congress.findRoom(talk.room)->guid;
    }));
    BOOST_TEST(talkWithId(congress, "2").roomGuid == "ba692ba3-421b-5371-8309-60acc34a3c05");
    const auto* saal1 = congress.findRoom("ba692ba3-421b-5371-8309-60acc34a3c05");
    BOOST_REQUIRE(saal1 != nullptr);
    BOOST_TEST(saal1->name == "Saal 1");

    const Schedule& frab = parsed("31c3-frab-v1.5.xml");
    BOOST_TEST(talkWithId(frab, "6109").guid == "Mw1wjnNzwxzSkM3Ip5Lg0g");
    BOOST_TEST(talkWithId(frab, "6264").guid == "HOqeNIb6G7M4hYFKFRkCmQ");

    const Schedule& fosdem = parsed("fosdem2024-pentabarf.xml");
    BOOST_TEST(fosdem.findRoom("ud2.208 (decroly)")->slug == "ud2208");
    BOOST_TEST(fosdem.findRoom("Janson")->slug == "janson");  // empty on day 1, still a room
    BOOST_TEST(talkWithId(fosdem, "10528").guid.empty());
}

// Without <date>, day@date + <start> with the day@start rule in Europe/Berlin must give every
// talk the same instant its <date> gives. In 38C3 day 1 starts at 09:30+00:00, i.e. 10:30 local.
BOOST_DATA_TEST_CASE(derivesTheSameStartsFromDayAndStart,
                     bdata::make({"38c3-fahrplan-20251206.xml", "31c3-frab-v1.5.xml"}), file) {
    ParseOptions options;
    options.source = pathOf(file);
    options.timeZone = "Europe/Berlin";
    const std::string stripped = withoutEventDates(readFile(file));
    BOOST_REQUIRE(stripped.find("<date>") == std::string::npos);
    const Schedule derived = parseSchedule(stripped, options);
    const Schedule& original = parsed(file);
    BOOST_REQUIRE(derived.talks.size() == original.talks.size());
    for (std::size_t i = 0; i < derived.talks.size(); ++i) {
        BOOST_TEST_INFO("talk " << original.talks[i].id);
        BOOST_TEST(formatUtc(derived.talks[i].start) == formatUtc(original.talks[i].start));
    }
}

BOOST_AUTO_TEST_CASE(asksForAZoneForFosdemWithoutOne) {
    ParseOptions options;
    options.source = pathOf("fosdem2024-pentabarf.xml");
    try {
        parseSchedule(readFile("fosdem2024-pentabarf.xml"), options);
        BOOST_FAIL("FOSDEM 2024 was read without a time zone");
    } catch (const ScheduleError& e) {
        const std::string message = e.what();
        BOOST_TEST(message.find(options.source + " names no time zone") == 0u);
        BOOST_TEST(message.find("--timezone ZONE (e.g. Europe/Brussels)") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(rejectsTheStreamsApiJson) {
    ParseOptions options;
    options.source = pathOf("streams-35c3-preview.v2.json");
    BOOST_CHECK_EXCEPTION(parseSchedule(readFile("streams-35c3-preview.v2.json"), options),
                          ScheduleError, [&](const ScheduleError& e) {
                              const std::string message = e.what();
                              return message.find(options.source) == 0 &&
                                     message.find("not a schedule") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(reportsTheLineWhereATruncatedFileEnds) {
    const std::string full = readFile("38c3-fahrplan-20251206.xml");
    std::size_t lineStart = 0;
    for (int line = 1; line < 100; ++line) {
        lineStart = full.find('\n', lineStart) + 1;
    }
    ParseOptions options;
    options.source = "38c3-truncated.xml";
    try {
        parseSchedule(std::string_view(full).substr(0, lineStart + 30), options);
        BOOST_FAIL("a truncated schedule was accepted");
    } catch (const ScheduleError& e) {
        const std::string message = e.what();
        BOOST_TEST_INFO("message: " << message);
        BOOST_TEST(message.find("38c3-truncated.xml is not well-formed XML") == 0u);
        BOOST_TEST(message.find("at line 100.") != std::string::npos);
    }
}

BOOST_DATA_TEST_CASE(parsesInPlaceAsFromACopy,
                     bdata::make({"38c3-fahrplan-20251206.xml", "31c3-frab-v1.5.xml",
                                  "divoc-ptt-pretalx-2.2.xml", "fosdem2024-pentabarf.xml",
                                  "fosdem2007-pentabarf-noroom.xml", "json-frab-camp2019.json"}),
                     file) {
    const Schedule& copied = parsed(file);
    ParseOptions options;
    options.source = pathOf(file);
    options.timeZone = zoneFor(file);
    const Schedule inPlace = parseScheduleInPlace(readFile(file), options);
    BOOST_TEST(inPlace.format == copied.format);
    BOOST_TEST(inPlace.conference.title == copied.conference.title);
    BOOST_TEST(inPlace.warnings == copied.warnings, boost::test_tools::per_element());
    BOOST_REQUIRE(inPlace.talks.size() == copied.talks.size());
    for (std::size_t i = 0; i < copied.talks.size(); ++i) {
        const Talk& a = inPlace.talks[i];
        const Talk& b = copied.talks[i];
        BOOST_TEST_INFO("talk " << b.id);
        BOOST_TEST((a.guid == b.guid && a.title == b.title && a.abstract == b.abstract &&
                    a.room == b.room && a.start == b.start && a.duration == b.duration &&
                    a.persons.size() == b.persons.size()));
    }
}

// Parsing in place overwrites the document behind the parser; the line of an error must still
// be the line in the bytes as given, for every place a document can break.
BOOST_AUTO_TEST_CASE(reportsTheSameLineInPlace) {
    const std::string head = readFile("38c3-fahrplan-20251206.xml").substr(0, 30000);
    std::string crlf;  // CR LF line ends, which the parser folds into LF as it goes
    for (const char c : head) {
        crlf += c == '\n' ? "\r\n" : std::string(1, c);
    }
    std::string broken = head;  // names ended by a newline, a newline in an attribute
    for (std::size_t at = broken.find("<event "); at != std::string::npos;
         at = broken.find("<event ", at + 1)) {
        broken[at + 6] = '\n';
    }
    for (std::size_t at = broken.find("guid=\""); at != std::string::npos;
         at = broken.find("guid=\"", at + 1)) {
        broken.insert(at + 6, "\n");
    }
    int compared = 0;
    for (const std::string* text : std::vector<const std::string*>{&head, &crlf, &broken}) {
        for (std::size_t size = 200; size < text->size(); size += 97) {
            const std::string prefix = text->substr(0, size);
            const std::string copied = errorOf(prefix, true);
            BOOST_TEST_INFO("first " << size << " bytes");
            BOOST_REQUIRE(copied.find(" at line ") != std::string::npos);
            BOOST_TEST(errorOf(prefix, false) == copied);
            ++compared;
        }
    }
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"</title>", "</titel>"}, {"&amp;", "&amp"}, {"id=\"", "id="}, {"<date>", "<date"}}) {
        std::string text = head + "</day></schedule>";
        const auto at = text.find(from, 20000);
        BOOST_REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
        const std::string copied = errorOf(text, true);
        BOOST_TEST_INFO(from << " replaced by " << to);
        BOOST_REQUIRE(copied.find(" at line ") != std::string::npos);
        BOOST_TEST(errorOf(text, false) == copied);
    }
    BOOST_TEST(compared > 900);
}

// Documents pugixml does not read as UTF-8 as they are: it converts them first.
BOOST_DATA_TEST_CASE(parsesOtherEncodingsInPlaceAsFromACopy,
                     bdata::make({std::string("<\0\0\0\xFFQ\n", 7), std::string("<\0\0", 3),
                                  std::string("<\0s\0c\0h\0>\0", 10),
                                  std::string("\xFF\xFE<\0s\0c\0h\0e\0", 12),
                                  std::string("<?xml version='1.0' encoding='ISO-8859-1'?>"
                                              "<schedule><conference><title>Caf\xE9</title>"
                                              "</conference></schedule>"),
                                  std::string("<?xml version='1.0' encoding='latin1'?><schedule><"),
                                  std::string("<?xml version='1.0' encoding='UTF-8'?><schedule><"),
                                  std::string("<?xml encoding=")}),
                     bytes) {
    BOOST_TEST(errorOf(bytes, false) == errorOf(bytes, true));
}

BOOST_AUTO_TEST_SUITE_END()
