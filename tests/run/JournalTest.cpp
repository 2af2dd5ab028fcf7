#include "confcap/run/Journal.h"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "support/MediaTestSupport.h"

BOOST_AUTO_TEST_SUITE(JournalTest)

using confcap::run::JobState;
using confcap::run::Journal;

BOOST_AUTO_TEST_CASE(outcomesSurviveARestart) {
    confcap::testing::TempDir dir;
    const auto path = dir.path / "journal.json";
    {
        Journal journal(path);
        BOOST_TEST(!journal.find("guid-1").has_value());
        journal.record("guid-1", {JobState::Recorded, "2026/Saal 1/talk.ts", "recorded: 12 MB"});
        journal.record("guid-2", {JobState::Discarded, "", "discarded: 3 KB"});
    }
    Journal again(path);
    const auto first = again.find("guid-1");
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST((first->state == JobState::Recorded));
    BOOST_TEST(first->file == "2026/Saal 1/talk.ts");
    BOOST_TEST((again.find("guid-2")->state == JobState::Discarded));
    BOOST_TEST(!std::filesystem::exists(path.string() + ".tmp"));
}

BOOST_AUTO_TEST_CASE(aDamagedJournalIsEmpty) {
    confcap::testing::TempDir dir;
    const auto path = dir.path / "journal.json";
    std::ofstream(path) << "{\"jobs\": {\"guid-1\": ";
    BOOST_TEST(!Journal(path).find("guid-1").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
