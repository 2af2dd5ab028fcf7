#include "confcap/sink/MergePlan.h"

#include <boost/test/unit_test.hpp>

#include <ostream>

namespace confcap::sink {

std::ostream& operator<<(std::ostream& out, const MergeRun& run) {
    return out << "copy " << run.copy << " " << run.firstSequence << "-" << run.lastSequence << " ("
               << run.seconds << " s)";
}

std::ostream& operator<<(std::ostream& out, const MergeGap& gap) {
    return out << "gap " << gap.firstSequence << "-" << gap.lastSequence << " (" << gap.seconds
               << " s)";
}

}  // namespace confcap::sink

using confcap::sink::MergeGap;
using confcap::sink::MergeRun;
using confcap::sink::planMerge;
using confcap::sink::SegmentMark;

namespace {

/// Segments `first`..`last` of 4 s each, leaving out `missingFirst`..`missingLast`.
std::vector<SegmentMark> segments(std::int64_t first, std::int64_t last,
                                  std::int64_t missingFirst = 1, std::int64_t missingLast = 0) {
    std::vector<SegmentMark> list;
    std::uint64_t offset = 0;
    for (auto s = first; s <= last; ++s) {
        if (s >= missingFirst && s <= missingLast) {
            continue;
        }
        list.push_back({s, offset, 4.0});
        offset += 1000;
    }
    return list;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(MergePlanTest)

BOOST_AUTO_TEST_CASE(eachCopyFillsTheOthersGap) {
    // Copy 0 lost segments 103-105, copy 1 lost 108-110.
    const auto plan = planMerge({segments(100, 115, 103, 105), segments(100, 115, 108, 110)});
    const std::vector<MergeRun> runs = {
        {0, 100, 102, 12.0}, {1, 103, 107, 20.0}, {0, 108, 115, 32.0}};
    BOOST_TEST(plan.runs == runs, boost::test_tools::per_element());
    BOOST_TEST(plan.gaps.empty());
    BOOST_TEST(plan.secondsByCopy[0] == 44.0);
    BOOST_TEST(plan.secondsByCopy[1] == 20.0);
}

BOOST_AUTO_TEST_CASE(theFileSwitchesCopiesOnlyAtAGap) {
    // Copy 1 holds everything; copy 0 is taken up to its gap, then copy 1 goes on to the end.
    const auto plan = planMerge({segments(1, 10, 4, 5), segments(1, 10)});
    const std::vector<MergeRun> runs = {{0, 1, 3, 12.0}, {1, 4, 10, 28.0}};
    BOOST_TEST(plan.runs == runs, boost::test_tools::per_element());
    // A copy that starts later or ends earlier is filled in at either end.
    const auto ends = planMerge({segments(5, 8), segments(1, 10)});
    const std::vector<MergeRun> endRuns = {{1, 1, 10, 40.0}};
    BOOST_TEST(ends.runs == endRuns, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(segmentsEveryCopyLostStayAGap) {
    const auto plan = planMerge({segments(1, 20, 8, 12), segments(1, 20, 6, 10)});
    // Copy 0 lost 8-12 and copy 1 lost 6-10: 8-10 is lost in both.
    const std::vector<MergeRun> runs = {{0, 1, 7, 28.0}, {1, 11, 20, 40.0}};
    BOOST_TEST(plan.runs == runs, boost::test_tools::per_element());
    const std::vector<MergeGap> gaps = {{8, 10, 12.0}};
    BOOST_TEST(plan.gaps == gaps, boost::test_tools::per_element());
    BOOST_TEST(plan.secondsByCopy[1] == 40.0);
}

BOOST_AUTO_TEST_CASE(nothingToPlanWithoutSegments) {
    const auto plan = planMerge({{}, {}});
    BOOST_TEST(plan.runs.empty());
    BOOST_TEST(plan.gaps.empty());
    BOOST_TEST(plan.secondsByCopy.size() == 2u);
    const auto one = planMerge({segments(3, 5)});
    const std::vector<MergeRun> runs = {{0, 3, 5, 12.0}};
    BOOST_TEST(one.runs == runs, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
