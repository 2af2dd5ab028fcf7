#include "confcap/select/Selector.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <ostream>
#include <sstream>
#include <vector>

#include "confcap/core/Error.h"
#include "confcap/schedule/ScheduleParser.h"
#include "support/TestData.h"

BOOST_TEST_DONT_PRINT_LOG_VALUE(confcap::select::SelectionRules)

BOOST_AUTO_TEST_SUITE(SelectorTest)

namespace bdata = boost::unit_test::data;
using confcap::schedule::Talk;
using confcap::select::SelectionRules;
using confcap::select::Selector;

namespace {

Talk makeTalk() {
    Talk talk;
    talk.id = "12345";
    talk.guid = "0b5d7a2e-1111-4222-8333-444455556666";
    talk.code = "ABC123";
    talk.slug = "38c3-12345-opening";
    talk.title = "Opening Ceremony";
    talk.subtitle = "Welcome to the congress";
    talk.room = "Saal 1";
    talk.roomGuid = "ba692ba3-421b-5371-8309-60acc34a3c05";
    talk.track = "CCC";
    talk.persons = {{"Jane Düsentrieb", "7"}, {"Bob", "8"}};
    talk.day = 2;
    talk.dayDate = "2024-12-28";
    return talk;
}

struct Case {
    const char* name;
    SelectionRules rules;
    bool selected;
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
    return os << c.name;
}

const std::vector<Case> kCases = {
    {"no rules select everything", {}, true},
    {"room by name, any case", {.rooms = {"saal 1"}}, true},
    {"room by guid", {.rooms = {"BA692BA3-421B-5371-8309-60ACC34A3C05"}}, true},
    {"other room", {.rooms = {"Saal GLITCH"}}, false},
    {"one of several rooms", {.rooms = {"Saal GLITCH", "Saal 1"}}, true},
    {"track", {.tracks = {"ccc"}}, true},
    {"other track", {.tracks = {"Security"}}, false},
    {"match title", {.match = {"open.*cere"}}, true},
    {"match subtitle", {.match = {"congress$"}}, true},
    {"match speaker with umlaut", {.match = {"Düsentrieb"}}, true},
    {"no match", {.match = {"keynote"}}, false},
    {"exclude wins over match", {.match = {"opening"}, .exclude = {"ceremony"}}, false},
    {"exclude without hit", {.exclude = {"workshop"}}, true},
    {"talk by guid", {.talks = {"0b5d7a2e-1111-4222-8333-444455556666"}}, true},
    {"talk by id", {.talks = {"12345"}}, true},
    {"talk by slug", {.talks = {"38c3-12345-opening"}}, true},
    {"talk by code", {.talks = {"abc123"}}, true},
    {"other talk", {.talks = {"999"}}, false},
    {"day by index", {.days = {"2"}}, true},
    {"day by date", {.days = {"2024-12-28"}}, true},
    {"other day", {.days = {"1", "2024-12-27"}}, false},
    {"kinds combine with and", {.rooms = {"Saal 1"}, .tracks = {"Security"}}, false},
    {"all kinds hold",
     {.rooms = {"Saal 1"}, .tracks = {"CCC"}, .match = {"opening"}, .days = {"2"}},
     true},
};

}  // namespace

BOOST_DATA_TEST_CASE(decidesByRules, bdata::make(kCases), c) {
    const auto decision = Selector(c.rules).decide(makeTalk());
    BOOST_TEST(decision.selected == c.selected);
    BOOST_TEST(!decision.reason.empty());
}

BOOST_AUTO_TEST_CASE(optoutIsSkippedOnlyWhenRespected) {
    auto talk = makeTalk();
    talk.doNotRecord = true;
    BOOST_TEST(Selector({}).decide(talk).selected);
    const auto decision = Selector({.respectOptout = true}).decide(talk);
    BOOST_TEST(!decision.selected);
    BOOST_TEST(decision.reason.find("opted out") != std::string::npos);

    talk.doNotRecord = false;
    talk.doNotStream = true;
    BOOST_TEST(!Selector({.respectOptout = true}).decide(talk).selected);
}

BOOST_AUTO_TEST_CASE(reasonsNameWhatExcluded) {
    const auto decision = Selector({.exclude = {"cere"}}).decide(makeTalk());
    BOOST_TEST(decision.reason == "excluded by --exclude 'cere'");
    BOOST_TEST(Selector({.rooms = {"x"}}).decide(makeTalk()).reason ==
               "room 'Saal 1' not selected");
}

BOOST_DATA_TEST_CASE(rejectsBadRules,
                     bdata::make(std::vector<SelectionRules>{{.match = {"(unclosed"}},
                                                             {.exclude = {"[a-"}},
                                                             {.days = {"monday"}},
                                                             {.days = {"2024/12/28"}}}),
                     rules) {
    BOOST_CHECK_THROW(Selector{rules}, confcap::core::UsageError);
}

BOOST_AUTO_TEST_CASE(selectedTalksAreInStartOrder) {
    confcap::schedule::Schedule schedule;
    auto a = makeTalk();
    a.start = confcap::core::Instant(std::chrono::seconds(2000));
    a.title = "Late";
    auto b = makeTalk();
    b.start = confcap::core::Instant(std::chrono::seconds(1000));
    b.title = "Early";
    auto c = makeTalk();
    c.title = "Filtered out";
    c.track = "Other";
    schedule.talks = {a, b, c};
    const auto talks = Selector({.tracks = {"CCC"}}).selectedTalks(schedule);
    BOOST_REQUIRE(talks.size() == 2);
    BOOST_TEST(talks[0]->title == "Early");
    BOOST_TEST(talks[1]->title == "Late");
}

// A 64 KB title made std::regex recurse once per character until the stack ran out (issue 11).
// The patterns look at the first kMaxMatchedBytes of each text.
BOOST_AUTO_TEST_CASE(aVeryLongTitleIsMatchedByItsBeginningWithoutCrashing) {
    Talk talk = makeTalk();
    talk.title = "Keynote " + std::string(64 * 1024, 'A') + " cancelled";
    talk.subtitle = std::string(64 * 1024, 'B');
    talk.persons = {{std::string(64 * 1024, 'C'), "9"}};
    BOOST_TEST(Selector({.match = {"keynote a.*a"}}).decide(talk).selected);
    BOOST_TEST(Selector({.match = {"(a|b)+$"}}).decide(talk).selected);
    BOOST_TEST(!Selector({.match = {"a.*cancelled"}}).decide(talk).selected);
    BOOST_TEST(Selector({.exclude = {".*cancel"}}).decide(talk).selected);
    BOOST_TEST(!Selector({.exclude = {"c+"}}).decide(talk).selected);
}

BOOST_AUTO_TEST_CASE(theMatchedBeginningEndsBeforeACharacterThatWouldNotFit) {
    Talk talk = makeTalk();
    talk.subtitle.clear();
    talk.persons.clear();
    // 1023 bytes, then "ü" (two bytes) across the limit.
    talk.title = std::string(confcap::select::kMaxMatchedBytes - 1, 'x') + "\xC3\xBC";
    BOOST_TEST(Selector({.match = {"x$"}}).decide(talk).selected);
    BOOST_TEST(!Selector({.match = {"\xC3\xBC"}}).decide(talk).selected);
}

// Found by fuzz/run.sh config: libstdc++ overflowed a long reading this count (UBSan).
BOOST_DATA_TEST_CASE(aRepeatCountOver1000IsAUsageError,
                     bdata::make({"a{5555555555555555555555}", "a{1,99999999999}", "x{1234567890,}",
                                  "a{1001}"}),
                     pattern) {
    BOOST_CHECK_EXCEPTION(Selector({.match = {pattern}}), confcap::core::UsageError,
                          [&](const confcap::core::UsageError& e) {
                              const std::string what = e.what();
                              return what.find("--match '" + std::string(pattern) + "'") == 0 &&
                                     what.find("count up to 1000") != std::string::npos;
                          });
    BOOST_TEST(Selector({.match = {"a{2,3}"}}).decide(makeTalk()).selected == false);
    BOOST_TEST(Selector({.match = {"a{1000}"}}).decide(makeTalk()).selected == false);
}

// A pattern that backtracks exponentially in std::regex answers at once: RE2 matches in time
// linear in the text (issue 28).
BOOST_AUTO_TEST_CASE(aNestedRepetitionAnswersAtOnce) {
    Talk talk = makeTalk();
    talk.title = std::string(40, 'a') + "!";
    const auto started = std::chrono::steady_clock::now();
    BOOST_TEST(!Selector({.match = {"(a+)+$"}}).decide(talk).selected);
    BOOST_TEST(Selector({.exclude = {"(a|aa)+b"}}).decide(talk).selected);
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(took < std::chrono::seconds(1));
}

namespace {

struct BadPattern {
    const char* pattern;
    const char* says;  ///< what the error sentence tells to write instead
};

std::ostream& operator<<(std::ostream& out, const BadPattern& p) {
    return out << p.pattern;
}

}  // namespace

// Found by the config fuzz target under UBSan: undefined behaviour in libstdc++'s regex
// compiler. RE2 reads it as an octal escape (\444) and digits: a pattern like any other.
BOOST_AUTO_TEST_CASE(aLongOctalEscapeIsAPatternLikeAnyOther) {
    BOOST_TEST(Selector({.exclude = {"\\44444444444444444444"}}).decide(makeTalk()).selected);
}

// What RE2 refuses is one sentence naming the pattern and what to write instead.
BOOST_DATA_TEST_CASE(aBackreferenceOrLookaroundIsAUsageErrorSayingWhatToWrite,
                     bdata::make(std::vector<BadPattern>{
                         {"(a)\\1", "no backreferences"},
                         {"(a)(b)\\2", "no backreferences"},
                         {"talk(?=s)", "no lookahead or lookbehind"},
                         {"(?<!x)y", "no lookahead or lookbehind"}}),
                     c) {
    BOOST_CHECK_EXCEPTION(Selector({.exclude = {c.pattern}}), confcap::core::UsageError,
                          [&](const confcap::core::UsageError& e) {
                              const std::string what = e.what();
                              BOOST_TEST_MESSAGE(what);
                              return what.find("--exclude '" + std::string(c.pattern) +
                                               "' is not a pattern confcap accepts") == 0 &&
                                     what.find(c.says) != std::string::npos;
                          });
}

namespace {

const confcap::schedule::Schedule& fosdem2024() {
    static const confcap::schedule::Schedule schedule = [] {
        const std::string file = "schedules/fosdem2024-pentabarf.xml";
        return confcap::schedule::parseSchedule(
            confcap::testing::testData(file),
            {confcap::testing::testDataPath(file), "Europe/Brussels"});
    }();
    return schedule;
}

struct NoneCase {
    const char* name;
    SelectionRules rules;
    std::string explanation;
};

std::ostream& operator<<(std::ostream& os, const NoneCase& c) {
    return os << c.name;
}

const std::vector<NoneCase> kNoneCases = {
    {"a word of a track",
     {.tracks = {"Rust"}},
     "No track 'Rust'; tracks with that word: 'Rust devroom'."},
    {"a track with a typo",
     {.tracks = {"Rust devrom"}},
     "No track 'Rust devrom'; did you mean 'Rust devroom'?"},
    {"a room that does not exist",
     {.rooms = {"Saal 1"}},
     "No room 'Saal 1'; the schedule's rooms: 'Janson', 'J.1.106', 'K.1.105 (La Fontaine)', "
     "'K.3.201', 'K.3.401', 'K.4.201', 'K.4.401', 'K.4.601', 'H.1301 (Cornil)', "
     "'H.1302 (Depage)', 'H.1308 (Rolin)', 'H.1309 (Van Rijn)' and 20 more."},
    {"a day after the conference",
     {.days = {"3"}},
     "No day '3'; the schedule's days are 1 to 2 (2024-02-03 to 2024-02-04)."},
    {"an unknown talk id", {.talks = {"nope"}}, "No talk has the id, guid, slug or code 'nope'."},
    {"a pattern no title has",
     {.match = {"zzzqqq"}},
     "No talk's title, subtitle or speakers match --match 'zzzqqq'."},
    {"an exclusion of everything", {.exclude = {"."}}, "--exclude '.' excludes every talk."},
    {"names that exist but never meet",
     {.rooms = {"Janson"}, .tracks = {"Rust devroom"}},
     "No talk of the 674 in the schedule meets all the selection rules together."},
};

}  // namespace

BOOST_DATA_TEST_CASE(anEmptySelectionSaysWhichNameIsUnknownAndWhatIsClose, bdata::make(kNoneCases),
                     c) {
    const Selector selector(c.rules);
    BOOST_TEST(selector.selectedTalks(fosdem2024()).empty());
    BOOST_TEST(selector.explainNoneSelected(fosdem2024()) == c.explanation);
}

BOOST_AUTO_TEST_CASE(aSelectionOfOptedOutTalksPointsAtIncludeOptout) {
    confcap::schedule::Schedule schedule;
    schedule.talks.push_back(makeTalk());
    schedule.talks.back().doNotRecord = true;
    const Selector selector({.rooms = {"Saal 1"}, .respectOptout = true});
    BOOST_TEST(selector.selectedTalks(schedule).empty());
    BOOST_TEST(selector.explainNoneSelected(schedule) ==
               "The 1 talk selected opted out of recording or are not streamed; --include-optout "
               "records them anyway.");
}

BOOST_AUTO_TEST_SUITE_END()
