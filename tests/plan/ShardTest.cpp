#include "confcap/plan/Shard.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "confcap/core/Error.h"
#include "confcap/plan/Plan.h"
#include "confcap/schedule/ScheduleParser.h"

BOOST_AUTO_TEST_SUITE(ShardTest)

namespace bdata = boost::unit_test::data;
using confcap::plan::parseShard;
using confcap::plan::parseShardCount;
using confcap::plan::Shard;
using confcap::plan::shardOf;
using confcap::plan::shardWeight;

namespace {

/// Room keys as schedules give them: UUIDs for some rooms, names for the rest.
std::vector<std::string> syntheticRooms(int count) {
    std::vector<std::string> keys;
    for (int i = 0; i < count; ++i) {
        if (i % 2 == 0) {
            char guid[48];
            std::snprintf(guid, sizeof guid, "6c3f%04x-1d2e-4f00-8a00-%012x", i, i * 7919);
            keys.emplace_back(guid);
        } else {
            keys.push_back("Room " + std::to_string(i));
        }
    }
    return keys;
}

/// The standard deviation of how many of `n` rooms land in a shard of probability `p`.
double binomialDeviation(int n, double p) {
    return std::sqrt(n * p * (1 - p));
}

confcap::schedule::Schedule example() {
    const std::string path = CONFCAP_SOURCE_DIR "/schedules/example-conference.xml";
    std::ifstream in(path);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return confcap::schedule::parseSchedule(bytes.str(), {path, std::nullopt});
}

}  // namespace

BOOST_AUTO_TEST_CASE(parsesKOfN) {
    BOOST_TEST((parseShard("2/3") == Shard{2, 3}));
    BOOST_TEST((parseShard("1/1") == Shard{1, 1}));
    BOOST_TEST(parseShardCount("4") == 4);
    BOOST_TEST(toString(Shard{2, 3}) == "2/3");
}

BOOST_DATA_TEST_CASE(refusesWhatIsNoShard,
                     bdata::make({"0/3", "4/3", "a/b", "3", "", "/3", "1/", "1/3x", "-1/3", "1/0",
                                  "1/1001", " 1/3"}),
                     value) {
    BOOST_CHECK_THROW(parseShard(value), confcap::core::UsageError);
}

BOOST_DATA_TEST_CASE(refusesWhatIsNoShardCount, bdata::make({"0", "x", "", "1001", "2/3"}), value) {
    BOOST_CHECK_THROW(parseShardCount(value), confcap::core::UsageError);
}

BOOST_AUTO_TEST_CASE(theWeightIsFnv1aOfKeyBarIndexMixedBySplitmix64) {
    // Pinned (computed independently): hosts running different builds of confcap must split
    // the rooms alike.
    BOOST_TEST(shardWeight("Saal 1", 1) == shardWeight("Saal 1", 1));
    BOOST_TEST(shardWeight("Saal 1", 1) != shardWeight("Saal 1", 2));
    BOOST_TEST(shardWeight("", 1) == 0x9b8d7c4207d4ca44ULL);
    BOOST_TEST(shardWeight("Saal 1", 2) == 0x4e3f8617d66d578cULL);
}

BOOST_AUTO_TEST_CASE(everyRoomHasExactlyOneShardAndTheSameOneEveryTime) {
    const auto rooms = syntheticRooms(300);
    for (int count = 1; count <= 8; ++count) {
        std::map<int, int> perShard;
        for (const auto& key : rooms) {
            const int shard = shardOf(key, count);
            BOOST_TEST_REQUIRE(shard >= 1);
            BOOST_TEST_REQUIRE(shard <= count);
            BOOST_TEST(shardOf(key, count) == shard);
            ++perShard[shard];
        }
        // Spread: every shard gets its share, within four standard deviations of the binomial
        // count a uniform hash gives.
        const double share = 300.0 / count;
        const double tolerance = 4 * binomialDeviation(300, 1.0 / count);
        for (int shard = 1; shard <= count; ++shard) {
            BOOST_TEST(std::abs(perShard[shard] - share) <= tolerance,
                       count << " shards: shard " << shard << " has " << perShard[shard]);
        }
    }
}

BOOST_AUTO_TEST_CASE(oneMoreShardMovesAboutItsShareAndOnlyToItself) {
    const auto rooms = syntheticRooms(400);
    for (int count = 1; count <= 7; ++count) {
        int moved = 0;
        for (const auto& key : rooms) {
            const int before = shardOf(key, count);
            const int after = shardOf(key, count + 1);
            if (before != after) {
                ++moved;
                // Rendezvous hashing: a room that moves moves to the new shard.
                BOOST_TEST(after == count + 1);
            }
        }
        const double expected = 400.0 / (count + 1);
        BOOST_TEST_MESSAGE(count << " -> " << count + 1 << " shards moved " << moved << " of 400 "
                                 << "(expected about " << expected << ")");
        const double tolerance = 4 * binomialDeviation(400, 1.0 / (count + 1));
        BOOST_TEST(std::abs(moved - expected) <= tolerance,
                   count << " -> " << count + 1 << ": " << moved);
    }
}

BOOST_AUTO_TEST_CASE(thePlanSkipsTheTalksOfOtherShardsRooms) {
    const auto schedule = example();
    confcap::plan::StreamMap streams;
    streams.streamTemplate = "https://cdn.example/{room_slug}.m3u8";
    const confcap::select::Selector selector({});
    const auto all = confcap::plan::makePlan(schedule, selector, streams, {});
    std::multiset<std::string> recorded;
    for (int index = 1; index <= 3; ++index) {
        confcap::plan::PlanOptions options;
        options.shard = Shard{index, 3};
        const auto plan = confcap::plan::makePlan(schedule, selector, streams, options);
        for (const auto& job : plan.jobs) {
            recorded.insert(job.talk.key());
            BOOST_TEST(shardOf(confcap::plan::shardKey(job.talk), 3) == index);
        }
        for (const auto& skipped : plan.skipped) {
            const int owner = shardOf(confcap::plan::shardKey(skipped.talk), 3);
            BOOST_TEST(owner != index);
            BOOST_TEST(skipped.reason == "room '" + skipped.talk.room + "' is recorded by shard " +
                                             std::to_string(owner) + "/3");
        }
        BOOST_TEST(plan.jobs.size() + plan.skipped.size() == all.jobs.size());
    }
    std::multiset<std::string> expected;
    for (const auto& job : all.jobs) {
        expected.insert(job.talk.key());
    }
    BOOST_TEST(recorded == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
