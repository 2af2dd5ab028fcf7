// The ScheduleRefresher with a loader the test controls, on a manual timer: a changed plan reaches
// the scheduler, an unchanged one does not, a failure keeps the last good plan and says so; the
// refreshes and their failures are counted.
#include "confcap/run/ScheduleRefresher.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <stdexcept>

#include "support/FakeClock.h"
#include "support/JobStatePrinting.h"
#include "support/ManualTimer.h"
#include "support/RunFakes.h"

BOOST_AUTO_TEST_SUITE(ScheduleRefresherTest)

using namespace std::chrono_literals;
using confcap::run::ScheduleRefresher;
using confcap::testing::at;
using confcap::testing::FakeClock;
using confcap::testing::job;
using confcap::testing::kNoon;
using confcap::testing::ManualTimer;
using confcap::testing::NotingRecorder;
using confcap::testing::NotingReporter;

namespace {

struct Fixture {
    FakeClock clock{at(kNoon) - 10min};
    ManualTimer timer;
    ManualTimer refreshTimer;
    NotingRecorder recorder;
    NotingReporter reporter;
    confcap::run::Scheduler scheduler{clock,
                                      timer,
                                      recorder,
                                      reporter,
                                      [](const confcap::plan::Job& j) {
                                          return confcap::run::Mark{j.talk.room, j.talk.title};
                                      },
                                      {}};
    confcap::plan::Plan first;
    // What the next load does: 0 unchanged, 1 a talk added, 2 fails.
    std::atomic<int> next{0};
    std::atomic<int> loads{0};
    std::atomic<int> everything{0};
    std::atomic<int> changedCalls{0};

    Fixture() {
        first.jobs = {job("a", kNoon, 30min)};
        scheduler.applyPlan(first);
    }

    ScheduleRefresher::Loader loader() {
        return [this](bool all) -> std::optional<confcap::plan::Plan> {
            ++loads;
            everything += all ? 1 : 0;
            switch (next.load()) {
                case 1: {
                    auto more = first;
                    more.jobs.push_back(job("b", kNoon + 30min, 30min));
                    return more;
                }
                case 2:
                    throw std::runtime_error("Could not connect to the schedule: refused.");
                default:
                    return std::nullopt;
            }
        };
    }
    // Runs the refresh set on the timer; it must have been set with `delay`.
    void refreshAfter(std::chrono::milliseconds delay) {
        BOOST_TEST((refreshTimer.pendingDelay() == std::optional(delay)));
        BOOST_TEST(refreshTimer.fireOnce());
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_request_refreshes_and_a_changed_plan_reaches_the_scheduler, Fixture) {
    ScheduleRefresher refresher(clock, refreshTimer, scheduler, reporter, first, loader(), 0s,
                                [this](const confcap::plan::Plan&) { ++changedCalls; });
    refresher.start();
    refresher.refreshNow();
    refreshAfter(0ms);
    BOOST_TEST(everything == 1);
    BOOST_TEST(reporter.said("schedule re-read: no changes"));
    BOOST_TEST(changedCalls == 0);

    next = 1;
    refresher.refreshNow();
    refreshAfter(0ms);
    BOOST_TEST(reporter.said("the schedule changed: 1 added, 0 changed, 0 cancelled"));
    BOOST_TEST(changedCalls == 1);
    BOOST_TEST(reporter.state("b") == confcap::run::JobState::Waiting);

    next = 2;
    refresher.refreshNow();
    refreshAfter(0ms);
    BOOST_TEST(
        reporter.said("could not refresh the schedule, keeping the last good one: Could "
                      "not connect to the schedule: refused."));
    BOOST_TEST(reporter.state("b") == confcap::run::JobState::Waiting);
    BOOST_TEST(!refreshTimer.pendingDelay().has_value());  // a period of 0: only on request
    refresher.stop();
    BOOST_TEST(loads == 3);
    BOOST_TEST(refreshTimer.cancelled());
}

BOOST_FIXTURE_TEST_CASE(the_period_refreshes_without_a_request, Fixture) {
    ScheduleRefresher refresher(clock, refreshTimer, scheduler, reporter, first, loader(), 1s);
    next = 1;
    refresher.start();
    refreshAfter(1000ms);
    BOOST_TEST(loads >= 1);
    BOOST_TEST(everything == 0);
    BOOST_TEST(reporter.state("b") == confcap::run::JobState::Waiting);
    refreshAfter(1000ms);  // and again a period later
    BOOST_TEST(loads == 2);
}

BOOST_FIXTURE_TEST_CASE(refreshes_and_their_failures_are_counted, Fixture) {
    std::atomic<bool> fromCache{false};
    const auto made = clock.now();
    ScheduleRefresher refresher(
        clock, refreshTimer, scheduler, reporter, first, loader(), 0s, {},
        [&]() -> std::optional<std::string> {
            if (!fromCache) {
                return std::nullopt;
            }
            return "Could not connect to https://x/schedule.xml: connection refused; using the "
                   "copy cached at 2024-12-27T10:30:00Z.";
        });
    auto counts = refresher.counts();
    BOOST_TEST(counts.refreshes == 0U);
    BOOST_TEST(counts.failures == 0U);
    BOOST_TEST((counts.lastSuccess >= made && counts.lastSuccess <= made + 5s));
    BOOST_TEST(refresher.period().count() == 0);
    refresher.start();

    refresher.refreshNow();
    refreshAfter(0ms);
    counts = refresher.counts();
    BOOST_TEST(counts.refreshes == 1U);
    BOOST_TEST(counts.failures == 0U);
    const auto firstSuccess = counts.lastSuccess;
    BOOST_TEST((firstSuccess >= made));

    next = 2;
    refresher.refreshNow();
    refreshAfter(0ms);
    counts = refresher.counts();
    BOOST_TEST(counts.refreshes == 2U);
    BOOST_TEST(counts.failures == 1U);
    BOOST_TEST((counts.lastSuccess == firstSuccess));

    // The schedule could only be had from the cache: a failed refresh, and said.
    next = 0;
    fromCache = true;
    refresher.refreshNow();
    refreshAfter(0ms);
    counts = refresher.counts();
    BOOST_TEST(counts.refreshes == 3U);
    BOOST_TEST(counts.failures == 2U);
    BOOST_TEST((counts.lastSuccess == firstSuccess));
    BOOST_TEST(reporter.said(
        "could not refresh the schedule: could not connect to https://x/schedule.xml: connection "
        "refused; using the copy cached at 2024-12-27T10:30:00Z"));

    fromCache = false;
    clock.advance(10min);
    refresher.refreshNow();
    refreshAfter(0ms);
    counts = refresher.counts();
    BOOST_TEST(counts.refreshes == 4U);
    BOOST_TEST(counts.failures == 2U);
    BOOST_TEST((counts.lastSuccess >= firstSuccess));
    BOOST_TEST((counts.lastSuccess == clock.now()));
    refresher.stop();
}

BOOST_AUTO_TEST_SUITE_END()
