#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/schedule/ScheduleParser.h"
#include "confcap/select/Favourites.h"
#include "confcap/select/Selector.h"
#include "support/TestData.h"

BOOST_AUTO_TEST_SUITE(FavouritesTest)

using confcap::core::parseIsoInstant;
using confcap::select::Favourite;
using confcap::select::FavouriteList;
using confcap::select::MatchedBy;
using confcap::select::matchFavourites;
using confcap::select::parseFavourites;
using confcap::testing::testData;

namespace {

confcap::schedule::Schedule scheduleFile(const std::string& name) {
    return confcap::schedule::parseSchedule(testData("schedules/" + name), {name, std::nullopt});
}

FavouriteList listFile(const std::string& name) {
    return parseFavourites(testData("favourites/" + name), name);
}

confcap::core::Instant at(const char* iso) {
    return *parseIsoInstant(iso);
}

std::string utc(const std::optional<confcap::core::Instant>& t) {
    return t ? confcap::core::formatUtc(*t) : "none";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// A talk of a hand-made schedule.
confcap::schedule::Talk talk(std::string id, std::string title, std::string room,
                             const char* start) {
    confcap::schedule::Talk t;
    t.id = std::move(id);
    t.title = std::move(title);
    t.room = std::move(room);
    t.start = at(start);
    t.duration = confcap::core::Seconds(1800);
    return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pretalxCalendarGivesCodesUrlsAndZonedStarts) {
    const auto list = listFile("ptt-my-schedule.ics");
    BOOST_TEST(list.format == "iCalendar");
    BOOST_REQUIRE(list.entries.size() == 3U);
    const auto& opening = list.entries[0];
    BOOST_TEST(opening.ids == std::vector<std::string>{"CKHNL9"});
    BOOST_TEST(opening.guid.empty());
    BOOST_TEST(opening.title == "Opening - Orga Team");
    BOOST_TEST(opening.url == "https://talks.mrmcd.net/ptt/talk/CKHNL9/");
    // 18:00 in Berlin summer time.
    BOOST_TEST(utc(opening.start) == "2020-09-04T16:00:00Z");
    BOOST_TEST(list.entries[1].title == "Hacker Jeopardy: The Remote Edition - Sec & Ray");
    BOOST_TEST(list.entries[2].where == "event 3");
}

BOOST_AUTO_TEST_CASE(frabCalendarGivesGuids) {
    const auto list = listFile("38c3-frab.ics");
    BOOST_REQUIRE(list.entries.size() == 3U);
    BOOST_TEST(list.entries[0].guid == "270fa44c-821a-577f-8ca3-33e8d4a8c2a7");
    BOOST_TEST(list.entries[0].ids.empty());
    BOOST_TEST(utc(list.entries[0].start) == "2024-12-27T09:30:00Z");
}

BOOST_AUTO_TEST_CASE(calendarTimesMayBeUtcFloatingOrInAnUnknownZone) {
    const std::string ics =
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1234@FOSDEM25@fosdem.org\nDTSTART:20250201T093000Z\n"
        "SUMMARY:Welcome to\n  FOSDEM\\, again\nEND:VEVENT\nBEGIN:VEVENT\nUID:a\nDTSTART:20250201T"
        "103000\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nDTSTART;TZID=\"W. Europe Standard Time\":2025020"
        "1T110000\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20250201\nEND:VEVENT\n"
        "END:VCALENDAR\n";
    const auto list = parseFavourites(ics, "fosdem.ics");
    BOOST_REQUIRE(list.entries.size() == 3U);
    BOOST_TEST(list.entries[0].ids == std::vector<std::string>{"1234"});
    BOOST_TEST(list.entries[0].title == "Welcome to FOSDEM, again");
    BOOST_TEST(utc(list.entries[0].start) == "2025-02-01T09:30:00Z");
    BOOST_TEST(!list.entries[1].start.has_value());
    BOOST_TEST(list.entries[1].localStart.has_value());
    BOOST_TEST(list.entries[2].localStart.has_value());
    // The zone nobody knows is named once; the event with nothing but a date is skipped, named.
    BOOST_REQUIRE(list.warnings.size() == 2U);
    BOOST_TEST(contains(list.warnings[0], "W. Europe Standard Time"));
    BOOST_TEST(contains(list.warnings[1], "event 4 of fosdem.ics"));
}

BOOST_AUTO_TEST_CASE(aCalendarEventsAlarmAndAMalformedTimeChangeNothing) {
    const auto list = parseFavourites(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Opening\r\nDTSTART:2024T227T103000\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nSUMMARY:Reminder\r\nEND:VALARM\r\nURL:https://x.org/"
        "2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "alarm.ics");
    BOOST_REQUIRE(list.entries.size() == 1U);
    BOOST_TEST(list.entries[0].title == "Opening");
    BOOST_TEST(list.entries[0].url == "https://x.org/2");
    BOOST_TEST(!list.entries[0].start.has_value());
    BOOST_TEST(!list.entries[0].localStart.has_value());
}

BOOST_AUTO_TEST_CASE(giggityLinkCarriesIdsAndTheScheduleUrl) {
    const auto text = testData("favourites/38c3-giggity.txt");
    BOOST_TEST(confcap::select::isInlineFavourites(std::string(confcap::core::trimmed(text))));
    BOOST_TEST(!confcap::select::isInlineFavourites("https://example.org/favourites.ics"));
    const auto list = parseFavourites(text, "link");
    BOOST_TEST(list.format == "Giggity link");
    BOOST_TEST(list.scheduleUrl ==
               "https://fahrplan.events.ccc.de/congress/2024/fahrplan/schedule.xml");
    BOOST_REQUIRE(list.entries.size() == 3U);
    BOOST_TEST(list.entries[0].ids == std::vector<std::string>{"2"});
    BOOST_TEST(list.entries[2].guid == "a1388d6c-121a-5c73-8e0e-d5100811e32b");

    BOOST_CHECK_EXCEPTION(parseFavourites("https://ggt.gaa.st/#url=x&see=not-zlib", "bad link"),
                          confcap::core::ScheduleError, [](const auto& e) {
                              return contains(e.what(), "bad link") &&
                                     contains(e.what(), "see= list");
                          });
}

BOOST_AUTO_TEST_CASE(eventFahrplanExportGivesIdsAndUtcStarts) {
    const auto list = listFile("38c3-eventfahrplan.json");
    BOOST_TEST(list.format == "EventFahrplan JSON");
    BOOST_REQUIRE(list.entries.size() == 3U);
    BOOST_TEST(list.entries[0].ids.front() == "50");
    BOOST_TEST(utc(list.entries[0].start) == "2024-12-27T11:00:00Z");
    BOOST_TEST(list.entries[1].title == "Freeing the Wi-Fi of the ESP32");
}

BOOST_AUTO_TEST_CASE(idListSkipsCommentsAndNamesWhatItCannotRead) {
    const auto list =
        parseFavourites("# mine\n\n  abc-123 \nhttps://x.org/talk/ABCD/\r\nnot an id\n", "ids.txt");
    BOOST_TEST(list.format == "id list");
    BOOST_REQUIRE(list.entries.size() == 2U);
    BOOST_TEST(list.entries[0].ids == std::vector<std::string>{"abc-123"});
    BOOST_TEST(list.entries[0].where == "line 3");
    BOOST_TEST(list.entries[1].url == "https://x.org/talk/ABCD/");
    BOOST_REQUIRE(list.warnings.size() == 1U);
    BOOST_TEST(contains(list.warnings[0], "line 5 of ids.txt"));
}

BOOST_AUTO_TEST_CASE(eventFahrplanTextShareIsReadByItsUrls) {
    const auto list = parseFavourites(
        "Opening\nFriday, 10:30, Saal 1\n\nhttps://x.org/events/2.html\n\n---\n\nClosing\n"
        "Monday, 17:00, Saal 1\n\nhttps://x.org/events/9.html\n\n---\n\nWiki session\n"
        "Monday, 18:00, Saal 2\n",
        "share.txt");
    BOOST_TEST(list.format == "EventFahrplan text");
    BOOST_REQUIRE(list.entries.size() == 2U);
    BOOST_TEST(list.entries[0].title == "Opening");
    BOOST_TEST(list.entries[1].url == "https://x.org/events/9.html");
    // A session shared without a link is named, not dropped silently.
    BOOST_REQUIRE(list.warnings.size() == 1U);
    BOOST_TEST(contains(list.warnings[0], "session 3 of share.txt ('Wiki session')"));
}

BOOST_AUTO_TEST_CASE(aScheduleOfTheChosenTalksIsAList) {
    const auto list = listFile("38c3-chosen.xml");
    BOOST_TEST(list.format == "frab XML");
    BOOST_REQUIRE(list.entries.size() == 2U);
    BOOST_TEST(list.entries[0].guid == "7586d408-8e63-5734-889c-acf80bec8760");
}

BOOST_AUTO_TEST_CASE(whatIsNoListIsRefusedInOneSentenceNamingIt) {
    for (const std::string bytes : {"", "# only a comment\n", "{\"lectures\": []}", "<html>"}) {
        BOOST_CHECK_EXCEPTION(parseFavourites(bytes, "favs.txt"), confcap::core::ScheduleError,
                              [](const auto& e) {
                                  const std::string what = e.what();
                                  return contains(what, "favourites list favs.txt") &&
                                         std::count(what.begin(), what.end(), '\n') == 0;
                              });
    }
}

BOOST_AUTO_TEST_CASE(entriesFindTheirTalksByGuidIdUrlOrTitleAndStart) {
    const auto schedule = scheduleFile("38c3-fahrplan-20251206.xml");
    const std::vector<FavouriteList> lists{
        listFile("38c3-frab.ics"), listFile("38c3-eventfahrplan.json"), listFile("38c3-ids.txt")};
    const auto matches = matchFavourites(lists, schedule);
    BOOST_REQUIRE(matches.entries.size() == 11U);
    const auto title = [&](std::size_t i) {
        return matches.entries[i].talk != nullptr ? matches.entries[i].talk->title : "-";
    };
    BOOST_TEST(title(0) == "38C3: Opening Ceremony");
    BOOST_TEST((matches.entries[0].by == MatchedBy::Guid));
    // The same talk twice is one talk to record.
    BOOST_TEST(title(1) == "Investigating the Iridium Satellite Network");
    BOOST_TEST(title(2) == title(1));
    // Renamed since the export: found by its id.
    BOOST_TEST(title(4) == "Liberating Wi-Fi on the ESP32");
    BOOST_TEST((matches.entries[4].by == MatchedBy::Id));
    // Not in this schedule: reported with the closest titles.
    BOOST_TEST(matches.entries[5].talk == nullptr);
    BOOST_TEST(matches.entries[5].closestTitles.front() ==
               "Investigating the Iridium Satellite Network");
    BOOST_TEST((matches.entries[8].by == MatchedBy::Url));
    BOOST_TEST(title(8) == "KLARHEIT ALS WAFFE");
    BOOST_TEST(matches.entries[10].talk == nullptr);
    BOOST_TEST(matches.talks.size() == 5U);
    const auto unmatched = matches.unmatched();
    BOOST_REQUIRE(unmatched.size() == 2U);
    BOOST_TEST(contains(unmatched[0], "38c3-eventfahrplan.json lecture 3"));
    BOOST_TEST(contains(unmatched[0], "'Investigating the Iridium Satellite Network'"));
}

BOOST_AUTO_TEST_CASE(aPretalxTitleWithSpeakersAndAMovedTalk) {
    const auto schedule = scheduleFile("divoc-ptt-pretalx-2.2.xml");
    const std::vector<FavouriteList> lists{listFile("ptt-my-schedule.ics")};
    const auto matches = matchFavourites(lists, schedule);
    BOOST_REQUIRE(matches.entries.size() == 3U);
    BOOST_REQUIRE(matches.entries[1].talk != nullptr);
    BOOST_TEST(matches.entries[1].talk->title == "Hacker Jeopardy");
    BOOST_TEST(matches.entries[2].talk == nullptr);
    BOOST_TEST(matches.entries[2].closestTitles.front() ==
               "Monitoring häufiger Brutvögel - Auswertung mit QGIS");

    // By title and start alone, "title - speakers" included; another start is another talk.
    Favourite byTitle;
    byTitle.title = "Opening - Orga Team";
    byTitle.start = at("2020-09-04T16:00:00Z");
    Favourite elsewhen = byTitle;
    elsewhen.start = at("2020-09-05T16:00:00Z");
    FavouriteList list{"hand", "iCalendar", {byTitle, elsewhen}, {}, {}};
    const std::vector<FavouriteList> hand{list};
    const auto found = matchFavourites(hand, schedule);
    BOOST_REQUIRE(found.entries[0].talk != nullptr);
    BOOST_TEST(found.entries[0].talk->title == "Opening");
    BOOST_TEST((found.entries[0].by == MatchedBy::TitleAndStart));
    BOOST_TEST(found.entries[1].talk == nullptr);
}

BOOST_AUTO_TEST_CASE(anotherSitesUrlOrATitleWithoutStartNamesNoTalk) {
    const auto schedule = scheduleFile("38c3-fahrplan-20251206.xml");
    Favourite elsewhere;
    elsewhere.url = "https://fosdem.org/2025/schedule/event/2/";
    Favourite sameSite;
    sameSite.url = "https://events.ccc.de/congress/2024/hub/de/event/2/";
    Favourite titleOnly;
    titleOnly.title = "38C3: Opening Ceremony";
    const std::vector<FavouriteList> lists{
        {"hand", "id list", {elsewhere, sameSite, titleOnly}, {}, {}}};
    const auto matches = matchFavourites(lists, schedule);
    BOOST_TEST(matches.entries[0].talk == nullptr);
    BOOST_REQUIRE(matches.entries[1].talk != nullptr);
    BOOST_TEST(matches.entries[1].talk->title == "38C3: Opening Ceremony");
    BOOST_TEST(matches.entries[2].talk == nullptr);
}

BOOST_AUTO_TEST_CASE(aFloatingStartIsInTheConferenceZone) {
    const auto schedule = scheduleFile("divoc-ptt-pretalx-2.2.xml");
    const auto list = parseFavourites(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Opening\nDTSTART:20200904T180000\nEND:VEVENT\n"
        "END:VCALENDAR\n",
        "floating.ics");
    const std::vector<FavouriteList> lists{list};
    const auto matches = matchFavourites(lists, schedule);
    BOOST_REQUIRE(matches.entries[0].talk != nullptr);
    BOOST_TEST(utc(matches.entries[0].talk->start) == "2020-09-04T16:00:00Z");
}

BOOST_AUTO_TEST_CASE(anEntryNamingSeveralTalksIsAnErrorUnlessALaterWayNamesOne) {
    confcap::schedule::Schedule merged;
    merged.talks = {talk("7", "Keynote", "Hall A", "2025-01-01T10:00:00Z"),
                    talk("7", "Lightning talks", "Hall B", "2025-01-01T12:00:00Z")};
    merged.talks[1].url = "https://b.example/7";
    const std::vector<FavouriteList> ids{parseFavourites("7\n", "ids.txt")};
    BOOST_CHECK_EXCEPTION(
        matchFavourites(ids, merged), confcap::core::ScheduleError, [](const auto& e) {
            const std::string what = e.what();
            return contains(what, "ids.txt line 1") && contains(what, "names 2 talks") &&
                   contains(what, "'Keynote' (Hall A") &&
                   contains(what, "'Lightning talks' (Hall B");
        });
    Favourite both;
    both.ids = {"7"};
    both.url = "https://b.example/7/";
    const std::vector<FavouriteList> lists{{"hand", "iCalendar", {both}, {}, {}}};
    const auto matches = matchFavourites(lists, merged);
    BOOST_REQUIRE(matches.entries[0].talk != nullptr);
    BOOST_TEST(matches.entries[0].talk->title == "Lightning talks");
}

BOOST_AUTO_TEST_CASE(favouritesJoinTalkIdsAndMeetTheOtherRules) {
    const auto schedule = scheduleFile("38c3-fahrplan-20251206.xml");
    const std::vector<FavouriteList> lists{listFile("38c3-frab.ics")};
    const auto matches = matchFavourites(lists, schedule);
    const auto titles = [&](confcap::select::SelectionRules rules) {
        std::vector<std::string> out;
        for (const auto* t : confcap::select::Selector(std::move(rules)).selectedTalks(schedule)) {
            out.push_back(t->title);
        }
        return out;
    };
    confcap::select::SelectionRules rules;
    rules.favourites = matches.talks;
    BOOST_TEST(titles(rules) ==
               (std::vector<std::string>{"38C3: Opening Ceremony",
                                         "Investigating the Iridium Satellite Network"}));
    rules.talks = {"452"};  // OR'ed with the favourites
    BOOST_TEST(titles(rules).size() == 3U);
    rules.match = {"iridium"};  // AND'ed
    BOOST_TEST(titles(rules) ==
               std::vector<std::string>{"Investigating the Iridium Satellite Network"});

    confcap::select::SelectionRules none;
    none.favourites.emplace();
    const confcap::select::Selector selector(none);
    BOOST_TEST(selector.selectedTalks(schedule).empty());
    BOOST_TEST(selector.decide(schedule.talks.front()).reason == "not a favourite");
    BOOST_TEST(contains(selector.explainNoneSelected(schedule), "--favourites"));
}

BOOST_AUTO_TEST_SUITE_END()
