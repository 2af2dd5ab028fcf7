#include "confcap/source/VariantFitter.h"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cmath>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(VariantFitterTest)

namespace data = boost::unit_test::data;
using confcap::source::SegmentFetch;
using confcap::source::VariantDecision;
using confcap::source::VariantFitter;
using confcap::source::VariantStep;
using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

namespace {

// The ladder the uplink of issue 20 met: 180p, 360p and 720p.
const std::vector<std::int64_t> kLadder = {170'000, 660'000, 2'200'000};
// Each variant's 2 s segment, in bytes.
constexpr std::uint64_t kLow = 42'500;
constexpr std::uint64_t kMid = 165'000;
constexpr std::uint64_t kHigh = 550'000;

const Steady::time_point kStart{std::chrono::hours(1000)};

/// One fetch, at whole seconds after the fitter started.
struct Fetch {
    double at = 0;
    double took = 0;  ///< seconds
    std::uint64_t bytes = 0;
    std::optional<double> untilRollout;  ///< seconds
};

SegmentFetch segmentFetch(const Fetch& f) {
    SegmentFetch fetch;
    fetch.duration = 2s;
    fetch.fetchTime = milliseconds(std::llround(f.took * 1000));
    fetch.bytes = f.bytes;
    if (f.untilRollout) {
        fetch.untilRollout = milliseconds(std::llround(*f.untilRollout * 1000));
    }
    fetch.at = kStart + milliseconds(std::llround(f.at * 1000));
    return fetch;
}

/// A fetch every 2 s from `from` to `to` seconds (both included), each taking `took`.
std::vector<Fetch> every(double from, double to, double took, std::uint64_t bytes) {
    std::vector<Fetch> fetches;
    for (double t = from; t <= to; t += 2) {
        fetches.push_back({t, took, bytes, {}});
    }
    return fetches;
}

std::vector<Fetch> operator+(std::vector<Fetch> a, const std::vector<Fetch>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

struct Row {
    const char* name;
    std::size_t start;  ///< the rung followed from the start
    std::vector<Fetch> fetches;
    VariantStep first;  ///< the first move the fitter asks for; Stay when none
    int after;          ///< ...after this many fetches (0 for Stay)
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
    return out << row.name;
}

// Throughputs: a 1.2 Mbit/s link fetches a 180p segment in 0.28 s, 360p in 1.1 s, 720p in
// 3.7 s; 0.9 Mbit/s is not room for 360p (1.5 x 660 kbit/s = 990 kbit/s).
const std::vector<Row> kRows = {
    {"fetches quicker than playing stay", 2, every(2, 20, 1.5, kHigh), VariantStep::Stay, 0},
    {"one slow fetch stays", 2, {{2, 2.5, kHigh, {}}, {4, 1.0, kHigh, {}}}, VariantStep::Stay, 0},
    {"two slow fetches in a row step down", 2, every(2, 10, 3.7, kHigh), VariantStep::Down, 2},
    {"slow fetches that are not in a row stay",
     2,
     {{2, 3, kHigh, {}}, {5, 1, kHigh, {}}, {7, 3, kHigh, {}}, {10, 1, kHigh, {}}},
     VariantStep::Stay,
     0},
    {"the lowest rung never steps down", 0, every(2, 20, 3, kLow), VariantStep::Stay, 0},
    {"the next segment first in the playlist and no gain steps down",
     2,
     {{2, 1.9, kHigh, 3.0}, {4, 1.9, kHigh, 1.5}, {6, 1.9, kHigh, 1.2}},
     VariantStep::Down,
     2},
    {"first in the playlist but catching up stays",
     1,
     {{2, 1.1, kMid, 0.5}, {3, 1.1, kMid, 0.9}, {4, 1.1, kMid, 1.4}, {5, 1.1, kMid, 1.8}},
     VariantStep::Stay,
     0},
    {"at the live edge nothing rolls out", 2, every(2, 30, 1.9, kHigh), VariantStep::Stay, 0},
    {"a minute of room for the rung above steps up", 0, every(2, 70, 0.28, kLow), VariantStep::Up,
     31},
    {"less than a minute of room stays", 0, every(2, 50, 0.28, kLow), VariantStep::Stay, 0},
    {"a dip starts the minute again", 0,
     every(2, 40, 0.28, kLow) + every(42, 42, 0.5, kLow) + every(44, 120, 0.28, kLow),
     VariantStep::Up, 52},
    {"0.9 Mbit/s is not room for 360p", 0, every(2, 200, 0.38, kLow), VariantStep::Stay, 0},
    {"the highest rung never steps up", 2, every(2, 200, 0.1, kHigh), VariantStep::Stay, 0},
};

}  // namespace

BOOST_DATA_TEST_CASE(decidesTheStep, data::make(kRows), row) {
    VariantFitter fitter(kLadder, row.start, kStart);
    VariantDecision first;
    int after = 0;
    for (const auto& f : row.fetches) {
        const auto decision = fitter.observe(segmentFetch(f));
        ++after;
        if (decision.step != VariantStep::Stay) {
            first = decision;
            break;
        }
    }
    BOOST_TEST(static_cast<int>(first.step) == static_cast<int>(row.first));
    if (row.first == VariantStep::Stay) {
        return;
    }
    BOOST_TEST(after == row.after);
    BOOST_TEST(first.to == (row.first == VariantStep::Down ? row.start - 1 : row.start + 1));
    BOOST_TEST(!first.why.empty());
    BOOST_TEST(fitter.current() == row.start);  // deciding moves nothing
}

BOOST_AUTO_TEST_CASE(segmentsThatRolledOutStepDown) {
    VariantFitter fitter(kLadder, 2, kStart);
    fitter.observe(segmentFetch({2, 1.0, kHigh, {}}));
    const auto decision = fitter.lost(3);
    BOOST_TEST(static_cast<int>(decision.step) == static_cast<int>(VariantStep::Down));
    BOOST_TEST(decision.to == 1u);
    BOOST_TEST(decision.why ==
               "3 segments rolled out of the playlist before they could be fetched");
    VariantFitter lowest(kLadder, 0, kStart);
    lowest.observe(segmentFetch({2, 0.2, kLow, {}}));
    BOOST_TEST(static_cast<int>(lowest.lost(3).step) == static_cast<int>(VariantStep::Stay));
}

BOOST_AUTO_TEST_CASE(theReasonNamesTheFigures) {
    VariantFitter fitter(kLadder, 2, kStart);
    fitter.observe(segmentFetch({2, 3.7, kHigh, {}}));
    const auto down = fitter.observe(segmentFetch({6, 3.7, kHigh, {}}));
    BOOST_TEST(down.why ==
               "fetching took longer than playing, 2 segments in a row (the last 3.7 s for 2.0 s)");
}

// Two rooms on one uplink: a step up that brings a step down soon after makes the next one wait
// twice as long, so the rooms do not trade the link back and forth every minute.
BOOST_AUTO_TEST_CASE(aStepUpThatDidNotLastDoublesTheHold) {
    VariantFitter fitter(kLadder, 0, kStart);
    auto at = [](double seconds) { return kStart + milliseconds(std::llround(seconds * 1000)); };
    VariantDecision decision;
    for (const auto& f : every(2, 70, 0.28, kLow)) {
        decision = fitter.observe(segmentFetch(f));
        if (decision.step != VariantStep::Stay) {
            fitter.moved(decision.to, at(f.at));
            break;
        }
    }
    BOOST_TEST(fitter.current() == 1u);
    // The other room steps up too: both fall behind.
    fitter.observe(segmentFetch({66, 2.5, kMid, {}}));
    decision = fitter.observe(segmentFetch({69, 2.5, kMid, {}}));
    BOOST_TEST(static_cast<int>(decision.step) == static_cast<int>(VariantStep::Down));
    fitter.moved(decision.to, at(69));
    BOOST_TEST(fitter.upHold() == 120s);

    // A minute and more of room is not enough now: two minutes since the step down are.
    std::optional<double> upAt;
    for (const auto& f : every(71, 300, 0.28, kLow)) {
        if (fitter.observe(segmentFetch(f)).step == VariantStep::Up) {
            upAt = f.at;
            break;
        }
    }
    BOOST_REQUIRE(upAt);
    BOOST_TEST(*upAt >= 69 + 120);
    BOOST_TEST(*upAt <= 69 + 124);
}

BOOST_AUTO_TEST_CASE(aStepUpThatLastsResetsTheHold) {
    VariantFitter fitter(kLadder, 0, kStart);
    fitter.moved(1, kStart + 10s);
    fitter.moved(0, kStart + 20s);
    BOOST_TEST(fitter.upHold() == 120s);
    fitter.moved(1, kStart + 200s);
    fitter.observe(segmentFetch({450, 1.1, kMid, {}}));
    BOOST_TEST(fitter.upHold() == 60s);
}

BOOST_AUTO_TEST_CASE(theHoldDoublesUpToItsLimit) {
    VariantFitter fitter(kLadder, 0, kStart);
    auto t = kStart;
    for (int i = 0; i < 10; ++i) {
        fitter.moved(1, t += 1s);
        fitter.moved(0, t += 1s);
    }
    BOOST_TEST(fitter.upHold() == 480s);
}

// Right after a step down the follower is still behind: what rolls out before its first fetch on
// the new rung was lost on the old one.
BOOST_AUTO_TEST_CASE(segmentsLostBeforeTheFirstFetchOnARungDoNotStepDownAgain) {
    VariantFitter fitter(kLadder, 2, kStart);
    fitter.observe(segmentFetch({2, 1.0, kHigh, {}}));
    fitter.moved(1, kStart + 3s);
    BOOST_TEST(static_cast<int>(fitter.lost(2).step) == static_cast<int>(VariantStep::Stay));
    fitter.observe(segmentFetch({5, 1.1, kMid, {}}));
    BOOST_TEST(static_cast<int>(fitter.lost(1).step) == static_cast<int>(VariantStep::Down));
}

// An outage leaves the follower near the front of the playlist: that is no sign of a thin link.
BOOST_AUTO_TEST_CASE(anOutageIsNotCountedAgainstTheLink) {
    VariantFitter fitter(kLadder, 2, kStart);
    fitter.observe(segmentFetch({2, 2.5, kHigh, 6.0}));
    fitter.reconnected();
    // After it: one slow fetch is the first in a row, and the place is not compared with before.
    auto decision = fitter.observe(segmentFetch({12, 2.5, kHigh, 1.5}));
    BOOST_TEST(static_cast<int>(decision.step) == static_cast<int>(VariantStep::Stay));
    decision = fitter.observe(segmentFetch({13, 0.5, kHigh, 2.5}));
    BOOST_TEST(static_cast<int>(decision.step) == static_cast<int>(VariantStep::Stay));
    BOOST_TEST(fitter.current() == 2u);
}

BOOST_AUTO_TEST_CASE(refusesAnEmptyLadder) {
    BOOST_CHECK_THROW(VariantFitter({}, 0, kStart), std::invalid_argument);
    BOOST_CHECK_THROW(VariantFitter(kLadder, 3, kStart), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
