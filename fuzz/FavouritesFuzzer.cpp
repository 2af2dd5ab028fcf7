// Favourites bytes (iCalendar, EventFahrplan JSON, a Giggity link, a schedule, an id list) through
// the reader and the matching against a small schedule: nothing may crash or hang, an entry that
// matched names a talk of the schedule, and each sentence about an unmatched entry is one line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "FuzzCheck.h"
#include "confcap/core/Error.h"
#include "confcap/schedule/ScheduleParser.h"
#include "confcap/select/Favourites.h"
#include "confcap/select/Selector.h"

using namespace confcap;

namespace {

const schedule::Schedule& knownSchedule() {
    static const auto parsed = schedule::parseSchedule(
        "<schedule><conference><title>F</title><time_zone_name>Europe/Berlin</time_zone_name>"
        "</conference><day index=\"1\" date=\"2024-12-27\"><room name=\"Saal 1\">"
        "<event id=\"2\" guid=\"270fa44c-821a-577f-8ca3-33e8d4a8c2a7\"><date>2024-12-27T10:30:00+"
        "01:00</date><duration>00:30</duration><title>Opening</title><url>https://x.org/talk/"
        "ABCDEF/</url></event><event id=\"3\" guid=\"g3\"><date>2024-12-27T11:00:00+01:00</date>"
        "<duration>00:30</duration><title>Opening</title></event></room></day></schedule>",
        {"fuzz-schedule.xml", std::nullopt});
    return parsed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::vector<select::FavouriteList> lists;
    try {
        lists.push_back(select::parseFavourites(bytes, "fuzz.txt"));
    } catch (const core::ScheduleError&) {
        return 0;
    }
    fuzz::check(!lists.front().entries.empty(), "a list that was read names a talk");
    const auto& schedule = knownSchedule();
    select::FavouriteMatches matches;
    try {
        matches = select::matchFavourites(lists, schedule);
    } catch (const core::ScheduleError&) {
        return 0;
    }
    for (const auto& match : matches.entries) {
        fuzz::check(
            match.talk == nullptr || (match.talk >= schedule.talks.data() &&
                                      match.talk < schedule.talks.data() + schedule.talks.size()),
            "a match is a talk of the schedule");
    }
    for (const auto& sentence : matches.unmatched()) {
        fuzz::check(!sentence.empty(), "a sentence for each unmatched entry");
    }
    select::SelectionRules rules;
    rules.favourites = matches.talks;
    const select::Selector selector(std::move(rules));
    fuzz::check(selector.selectedTalks(schedule).size() == matches.talks.size(),
                "every matched talk, and only those, is selected");
    return 0;
}
