#include "confcap/sink/MergePlan.h"

#include <boost/test/data/test_case.hpp>
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

std::ostream& operator<<(std::ostream& out, const TimeRun& run) {
    return out << "copy " << run.copy << " " << run.from << "-" << run.to;
}

std::ostream& operator<<(std::ostream& out, const TimePick& pick) {
    return out << "copy " << pick.copy << " unit " << pick.unit;
}

std::ostream& operator<<(std::ostream& out, MergeMethod method) {
    return out << static_cast<int>(method);
}

}  // namespace confcap::sink

BOOST_AUTO_TEST_SUITE(MergePlanTest)

namespace data = boost::unit_test::data;
using confcap::sink::CopyFacts;
using confcap::sink::MergeGap;
using confcap::sink::MergeMethod;
using confcap::sink::MergeRun;
using confcap::sink::planByTime;
using confcap::sink::planMerge;
using confcap::sink::planReplicas;
using confcap::sink::SegmentMark;
using confcap::sink::TimePick;
using confcap::sink::TimeRun;
using confcap::sink::TsUnit;

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

/// Units of 0.1 s each from `from` to `to` seconds (100 bytes each).
std::vector<TsUnit> units(double from, double to) {
    std::vector<TsUnit> list;
    std::uint64_t offset = 0;
    for (int i = 0; from + i * 0.1 < to - 1e-9; ++i) {
        list.push_back({offset, offset + 100, from + i * 0.1});
        offset += 100;
    }
    return list;
}

struct ReplicaRow {
    const char* what;
    std::vector<CopyFacts> copies;
    MergeMethod method;
    std::size_t source;
    std::size_t notes;
};

std::ostream& operator<<(std::ostream& out, const ReplicaRow& row) {
    return out << row.what;
}

const std::vector<ReplicaRow> kReplicaRows = {
    {"one copy is taken whole, without a note",
     {{segments(1, 5), false, 20}},
     MergeMethod::Whole,
     0,
     0},
    {"two copies with segments are cut by segment",
     {{segments(1, 5), false, 20}, {segments(1, 5), false, 20}},
     MergeMethod::BySegment,
     0,
     0},
    {"a copy without segments is left out of a cut, with a note",
     {{segments(1, 5), false, 20}, {{}, false, 30}, {segments(1, 5), false, 20}},
     MergeMethod::BySegment,
     0,
     1},
    {"progressive MPEG-TS copies are cut by timestamp",
     {{{}, true, 10}, {{}, true, 12}},
     MergeMethod::ByTimestamp,
     0,
     0},
    {"otherwise the copy covering the most is taken whole",
     {{{}, false, 10}, {segments(1, 5), false, 30}, {{}, true, 20}},
     MergeMethod::Whole,
     1,
     1},
    {"of equal copies the first", {{{}, false, 10}, {{}, false, 10}}, MergeMethod::Whole, 0, 1},
};

}  // namespace

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

BOOST_DATA_TEST_CASE(howCopiesAreMerged, data::make(kReplicaRows), row) {
    const auto plan = planReplicas(row.copies);
    BOOST_TEST(plan.method == row.method);
    BOOST_TEST(plan.notes.size() == row.notes);
    if (row.method == MergeMethod::Whole) {
        BOOST_TEST(plan.source == row.source);
    }
    if (row.method != MergeMethod::Whole) {
        BOOST_TEST(plan.segments.secondsByCopy.size() == row.copies.size());
    }
}

BOOST_AUTO_TEST_CASE(aCutBySegmentNamesTheCopiesAsGiven) {
    // Copy 1 has no segments: the runs still name copies 0 and 2.
    const auto plan = planReplicas(
        {{segments(1, 6, 3, 4), false, 0}, {{}, false, 0}, {segments(1, 6), false, 0}});
    const std::vector<MergeRun> runs = {{0, 1, 2, 8.0}, {2, 3, 6, 16.0}};
    BOOST_TEST(plan.segments.runs == runs, boost::test_tools::per_element());
    BOOST_TEST(plan.segments.secondsByCopy == (std::vector<double>{8.0, 0.0, 16.0}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(aHoleInOneCopyIsFilledByTheOther) {
    // Copy 0 lost 2-3 s; copy 1 starts later but holds it.
    auto first = units(0, 2);
    for (auto unit : units(3, 5)) {
        unit.offset += 2000;
        unit.end += 2000;
        first.push_back(unit);
    }
    const auto plan = planByTime({first, units(1, 5)});
    BOOST_TEST(plan.gaps.empty());
    // Copy 0 up to its hole, then copy 1 from the unit after copy 0's last one.
    BOOST_TEST_REQUIRE(plan.runs.size() == 2u);
    BOOST_TEST(plan.runs[0].copy == 0u);
    BOOST_TEST(plan.runs[0].to == 2.0, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(plan.runs[1].copy == 1u);
    BOOST_TEST(plan.picks.front() == (TimePick{0, 0}));
    // Copy 1 goes on to the end once it took over.
    BOOST_TEST(plan.picks.back() == (TimePick{1, 39}));
    BOOST_TEST(plan.secondsByCopy[0] + plan.secondsByCopy[1] == 4.9,
               boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(aHoleInEveryCopyIsAGap) {
    auto copy = units(0, 1);
    for (auto unit : units(3, 4)) {
        copy.push_back(unit);
    }
    const auto plan = planByTime({copy, copy});
    BOOST_TEST_REQUIRE(plan.gaps.size() == 1u);
    // The gap begins a frame after the last unit before it.
    BOOST_TEST(plan.gaps[0].from == 1.0, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(plan.gaps[0].to == 3.0, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(plan.picks.size() == 20u);
    BOOST_TEST(plan.secondsByCopy[1] == 0.0);
}

BOOST_AUTO_TEST_CASE(theCopyThatStartsFirstLeads) {
    const auto plan = planByTime({units(2, 3), units(1, 3), {}});
    BOOST_TEST_REQUIRE(!plan.runs.empty());
    BOOST_TEST(plan.runs.front().copy == 1u);
    BOOST_TEST(plan.gaps.empty());
    BOOST_TEST(planByTime({{}, {}}).picks.empty());
}

BOOST_AUTO_TEST_SUITE_END()
