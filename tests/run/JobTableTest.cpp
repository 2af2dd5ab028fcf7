#include "confcap/run/JobTable.h"
#include "support/JobStatePrinting.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(JobTableTest)

namespace bdata = boost::unit_test::data;
using namespace std::chrono_literals;
using confcap::run::Action;
using confcap::run::JobState;
using confcap::run::JobTable;
using confcap::run::TimePoint;

namespace {

const confcap::core::Instant kNoon{std::chrono::sys_days{std::chrono::year{2026} / 12 / 27} + 12h};

confcap::plan::Job job(const std::string& key, confcap::core::Instant from,
                       std::chrono::seconds length) {
    confcap::plan::Job j;
    j.talk.guid = key;
    j.talk.title = key;
    j.talk.room = "Saal 1";
    j.talk.start = from;
    j.talk.duration = length;
    j.from = from;
    j.until = from + length;
    j.stream = "http://127.0.0.1/s.m3u8";
    return j;
}

TimePoint at(confcap::core::Instant t, std::chrono::milliseconds plus = 0ms) {
    return TimePoint(t.time_since_epoch()) + plus;
}

struct Fixture {
    std::vector<std::string> log;
    JobTable table{[](const confcap::plan::Job& j) {
                       return confcap::run::Mark{j.talk.room, j.talk.title};
                   },
                   [this](const confcap::run::JobEntry& e, JobState from, JobState to) {
                       log.push_back(e.job.talk.key() + ": " + confcap::run::toString(from) +
                                     " -> " + confcap::run::toString(to));
                   }};
    confcap::plan::Plan plan;

    Fixture() {
        plan.jobs = {job("a", kNoon, 30min), job("b", kNoon + 30min, 30min)};
        table.applyPlan(plan);
    }
    std::size_t count(Action::Kind kind, const std::vector<Action>& actions) {
        return static_cast<std::size_t>(std::count_if(
            actions.begin(), actions.end(), [&](const Action& a) { return a.kind == kind; }));
    }
    JobState state(const std::string& key) { return table.find(key)->state; }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(startsAndStopsAtTheWindowEdges, Fixture) {
    BOOST_TEST(table.tick(at(kNoon, -1ms)).empty());
    auto actions = table.tick(at(kNoon));
    BOOST_TEST(count(Action::Kind::Start, actions) == 1U);
    BOOST_TEST(actions[0].job.talk.key() == "a");
    BOOST_TEST(table.tick(at(kNoon, 1s)).empty());  // no second start

    // Back-to-back: a's end and b's start are the same instant.
    actions = table.tick(at(kNoon + 30min));
    BOOST_TEST(count(Action::Kind::Stop, actions) == 1U);
    BOOST_TEST(count(Action::Kind::Start, actions) == 1U);
    BOOST_TEST(log.back() == "b: Waiting -> Recording");
    table.finished("a", JobState::Recorded, "recorded", "a.ts");
    BOOST_TEST(state("a") == JobState::Recorded);
    BOOST_TEST(!table.done());
}

BOOST_FIXTURE_TEST_CASE(forwardJumpPastAStartStartsAtOnce, Fixture) {
    // The clock jumps from before the window to its middle (a suspend, an NTP step).
    BOOST_TEST(table.tick(at(kNoon, -10s)).empty());
    const auto actions = table.tick(at(kNoon + 10min));
    BOOST_REQUIRE(actions.size() == 1U);
    BOOST_TEST(actions[0].job.talk.key() == "a");
    BOOST_TEST(table.find("a")->reason == "started late, recording from now");
}

BOOST_FIXTURE_TEST_CASE(jumpPastAWholeWindowMarksItMissed, Fixture) {
    const auto actions = table.tick(at(kNoon + 45min));
    BOOST_TEST(state("a") == JobState::Failed);
    BOOST_TEST(count(Action::Kind::Start, actions) == 1U);  // b is under way: from now
    BOOST_TEST(state("b") == JobState::Recording);
}

BOOST_FIXTURE_TEST_CASE(backwardJumpNeitherRepeatsNorLoses, Fixture) {
    BOOST_TEST(table.tick(at(kNoon, 5s)).size() == 1U);
    // The clock steps back before the window: the running job keeps running, nothing restarts.
    BOOST_TEST(table.tick(at(kNoon, -60s)).empty());
    BOOST_TEST(state("a") == JobState::Recording);
    BOOST_TEST(table.tick(at(kNoon, 6s)).empty());
    // ...and it still stops at its end, and b still starts.
    const auto actions = table.tick(at(kNoon + 30min));
    BOOST_TEST(count(Action::Kind::Stop, actions) == 1U);
    BOOST_TEST(count(Action::Kind::Start, actions) == 1U);
}

BOOST_FIXTURE_TEST_CASE(nextBoundaryIsTheEarliestEdgeAhead, Fixture) {
    BOOST_TEST((table.nextBoundary(at(kNoon, -5s)) == at(kNoon)));
    table.tick(at(kNoon));
    BOOST_TEST((table.nextBoundary(at(kNoon, 1s)) == at(kNoon + 30min)));
}

BOOST_FIXTURE_TEST_CASE(refreshMovesCancelsAndAdds, Fixture) {
    table.tick(at(kNoon, 1s));  // a records
    auto refreshed = plan;
    refreshed.jobs[0].until += 10min;                  // a overruns: its window grows
    refreshed.jobs.erase(refreshed.jobs.begin() + 1);  // b is cancelled
    refreshed.jobs.push_back(job("c", kNoon + 2h, 20min));
    auto actions = table.applyPlan(refreshed);
    BOOST_TEST(count(Action::Kind::Retarget, actions) == 1U);
    BOOST_TEST(state("b") == JobState::Cancelled);
    BOOST_TEST(state("c") == JobState::Waiting);
    // a no longer stops at its old end, but at the new one.
    BOOST_TEST(table.tick(at(kNoon + 30min)).empty());
    BOOST_TEST(count(Action::Kind::Stop, table.tick(at(kNoon + 40min))) == 1U);

    // A running job that leaves the schedule is stopped and ends as cancelled, file kept.
    table.tick(at(kNoon + 2h));
    refreshed.jobs.pop_back();
    actions = table.applyPlan(refreshed);
    BOOST_TEST(count(Action::Kind::Stop, actions) == 1U);
    table.finished("c", JobState::Recorded, "recorded", "c.ts");
    BOOST_TEST(state("c") == JobState::Cancelled);
    BOOST_TEST(table.find("c")->file == "c.ts");
}

BOOST_FIXTURE_TEST_CASE(stopAllLeavesRunningJobsOpenForTheNextRun, Fixture) {
    table.tick(at(kNoon, 1s));
    const auto actions = table.stopAll("confcap stopped");
    BOOST_REQUIRE(actions.size() == 1U);
    BOOST_TEST((actions[0].kind == Action::Kind::Interrupt));
    BOOST_TEST(actions[0].reason == "confcap stopped");
    BOOST_TEST(state("a") == JobState::Interrupted);
    BOOST_TEST(table.find("a")->reason.find("next run") != std::string::npos);
    BOOST_TEST(state("b") == JobState::Waiting);
    // An interrupted job is over for this run: nothing moves it again.
    BOOST_TEST(table.tick(at(kNoon + 2h)).empty());
    BOOST_TEST(state("a") == JobState::Interrupted);
}

BOOST_FIXTURE_TEST_CASE(restoredJobsKeepTheirOutcome, Fixture) {
    JobTable fresh{[](const confcap::plan::Job& j) {
                       return confcap::run::Mark{j.talk.room, j.talk.title};
                   },
                   {}};
    fresh.restore(plan.jobs[0], JobState::Recorded, "in an earlier run: recorded", "a.ts");
    fresh.applyPlan(plan);
    // Long after a's window: a is not counted as missed, b (never journaled) is.
    fresh.tick(at(kNoon + 2h));
    BOOST_TEST(fresh.find("a")->state == JobState::Recorded);
    BOOST_TEST(fresh.find("a")->file == "a.ts");
    BOOST_TEST(fresh.find("b")->state == JobState::Failed);
}

BOOST_FIXTURE_TEST_CASE(heldStartsWaitAndThenStartWithTheTimeTheyWaited, Fixture) {
    // a's window opens while starts are held: it waits, told once, and nothing starts.
    auto actions = table.tick(at(kNoon), true);
    BOOST_TEST(actions.size() == 1U);
    BOOST_TEST((actions[0].kind == Action::Kind::Hold));
    BOOST_TEST(table.find("a")->state == JobState::Waiting);
    BOOST_TEST(table.find("a")->reason == "waiting for disk space");
    BOOST_TEST(table.tick(at(kNoon, 5000ms), true).empty());
    BOOST_TEST(log.empty());

    // Space is back: it starts, carrying when it began to wait.
    actions = table.tick(at(kNoon, 12000ms), false);
    BOOST_TEST_REQUIRE(actions.size() == 1U);
    BOOST_TEST((actions[0].kind == Action::Kind::Start));
    BOOST_TEST((actions[0].heldSince == std::optional<TimePoint>(at(kNoon))));
    BOOST_TEST(table.find("a")->state == JobState::Recording);
    BOOST_TEST(table.find("a")->reason == "disk space is back, recording from now");
    BOOST_TEST(!table.find("a")->heldSince.has_value());

    // A job under way is not stopped by a hold; b, whose window opens, waits.
    actions = table.tick(at(kNoon + 30min), true);
    BOOST_TEST(count(Action::Kind::Stop, actions) == 1U);
    BOOST_TEST(count(Action::Kind::Hold, actions) == 1U);
    BOOST_TEST(count(Action::Kind::Start, actions) == 0U);
}

BOOST_FIXTURE_TEST_CASE(aHeldJobMovedLaterWaitsForItsWindowAgain, Fixture) {
    table.tick(at(kNoon), true);
    auto moved = plan;
    moved.jobs[0].from = kNoon + 10min;
    moved.jobs[0].until = kNoon + 40min;
    table.applyPlan(moved);
    BOOST_TEST(table.tick(at(kNoon, 1000ms), false).empty());
    BOOST_TEST(table.find("a")->reason == "waiting for its window");
    const auto actions = table.tick(at(kNoon + 10min), false);
    BOOST_TEST_REQUIRE(actions.size() == 1U);
    BOOST_TEST(!actions[0].heldSince.has_value());
}

BOOST_AUTO_TEST_CASE(stateMachineRejectsIllegalMoves) {
    using confcap::run::transitionAllowed;
    BOOST_TEST(transitionAllowed(JobState::Waiting, JobState::Recording));
    BOOST_TEST(transitionAllowed(JobState::Recording, JobState::Retrying));
    BOOST_TEST(transitionAllowed(JobState::Finalizing, JobState::Recorded));
    BOOST_TEST(!transitionAllowed(JobState::Waiting, JobState::Recorded));
    BOOST_TEST(!transitionAllowed(JobState::Recorded, JobState::Recording));
    BOOST_TEST(!transitionAllowed(JobState::Cancelled, JobState::Waiting));
}

BOOST_AUTO_TEST_SUITE_END()
