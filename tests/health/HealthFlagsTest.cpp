#include "confcap/health/HealthFlags.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

BOOST_AUTO_TEST_SUITE(HealthFlagsTest)

namespace bdata = boost::unit_test::data;
using confcap::core::Instant;
using confcap::health::ContentHealth;
using confcap::health::LiveHealth;
using confcap::health::Stretch;
using confcap::health::Trouble;

namespace {

// 2026-12-27 09:30:00 UTC is 10:30 in Europe/Berlin.
const Instant kFileStart =
    date::sys_days(date::year(2026) / 12 / 27) + std::chrono::hours(9) + std::chrono::minutes(30);

Trouble once(double offset, double seconds) {
    return {seconds, Stretch{offset, seconds}, {}};
}

struct Row {
    std::string name;
    ContentHealth health;
    bool utc;
    std::vector<std::string> flags;
};

std::ostream& operator<<(std::ostream& out, const Row& r) {
    return out << r.name;
}

ContentHealth with(Trouble silence, Trouble black, Trouble frozen) {
    ContentHealth health;
    health.analysedSeconds = 3600;
    health.hasVideo = health.hasAudio = true;
    health.silence = silence;
    health.black = black;
    health.frozen = frozen;
    return health;
}

const std::vector<Row> kRows = {
    {"healthy", with({}, {}, {}), false, {}},
    {"silent 38 minutes from 10:42",
     with(once(12 * 60, 38 * 60), {}, {}),
     false,
     {"silent 38.0 min from 10:42"}},
    {"each kind in its order, and a total beyond the longest",
     with(once(60, 45), Trouble{900, Stretch{600, 720}, {}}, once(3000, 31)),
     false,
     {"silent 45 s from 10:31", "black picture 12.0 min from 10:40, 15.0 min in all",
      "frozen picture 31 s from 11:20"}},
    {"without a zone, UTC said so",
     with(once(0, 40), {}, {}),
     true,
     {"silent 40 s from 09:30 UTC"}},
};

}  // namespace

BOOST_DATA_TEST_CASE(flagsSayWhatAndWhen, bdata::make(kRows), row) {
    const auto* zone = row.utc ? nullptr : date::locate_zone("Europe/Berlin");
    const auto flags = confcap::health::flagsFor(row.health, kFileStart, zone);
    BOOST_TEST(flags == row.flags, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(aSilenceGoingOnKeepsItsFirstInstant) {
    // The last 60 s, analysed at 10:45:00 local: silent from 20 s in, to the end.
    ContentHealth part;
    part.analysedSeconds = 60;
    part.hasAudio = true;
    part.silence = {40, Stretch{20, 40}, Stretch{20, 40}};
    const Instant end = kFileStart + std::chrono::minutes(15);
    const auto first = confcap::health::liveHealthOf(part, end, {});
    BOOST_REQUIRE(first.silentSince.has_value());
    BOOST_TEST(confcap::core::formatUtc(*first.silentSince) == "2026-12-27T09:44:20Z");
    BOOST_TEST(!first.blackSince.has_value());
    // A minute later the whole minute is silent: still silent since 10:44:20.
    part.silence = {60, Stretch{0, 60}, Stretch{0, 60}};
    const auto second = confcap::health::liveHealthOf(part, end + std::chrono::minutes(1), first);
    BOOST_TEST((second.silentSince == first.silentSince));
    const auto* berlin = date::locate_zone("Europe/Berlin");
    BOOST_TEST(confcap::health::liveFlagsFor(second, berlin) ==
                   std::vector<std::string>{"silent since 10:44"},
               boost::test_tools::per_element());
    // Sound again: no longer silent.
    part.silence = {};
    BOOST_TEST(!confcap::health::liveHealthOf(part, end + std::chrono::minutes(2), second).any());
}

BOOST_AUTO_TEST_SUITE_END()
