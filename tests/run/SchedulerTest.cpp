// The Scheduler on a fake clock and a manual timer, with a recorder and a reporter that only take
// notes: window edges, moves, cancellations, clock jumps, a stop inside a window and a recorder
// that cannot start, an afternoon of schedule in milliseconds.
#include "confcap/run/Scheduler.h"

#include "confcap/capture/RoomCapture.h"

#include <boost/test/unit_test.hpp>

#include <future>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "support/FakeClock.h"
#include "support/JobStatePrinting.h"
#include "support/ManualTimer.h"
#include "support/RunFakes.h"

BOOST_AUTO_TEST_SUITE(SchedulerTest)

using namespace std::chrono_literals;
using confcap::run::JobState;
using confcap::run::Scheduler;
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
    NotingRecorder recorder;
    NotingReporter reporter;
    Scheduler scheduler{clock,
                        timer,
                        recorder,
                        reporter,
                        [](const confcap::plan::Job& j) {
                            return confcap::run::Mark{j.talk.room, j.talk.title};
                        },
                        {}};
    confcap::plan::Plan plan;

    Fixture() {
        reporter.scheduler = &scheduler;
        plan.jobs = {job("a", kNoon, 30min), job("b", kNoon + 30min, 30min)};
        scheduler.applyPlan(plan);
        scheduler.start();
    }
    /// Moves the clock to `t` and runs the boundary task the scheduler armed, as the timer would.
    void runUntil(std::chrono::system_clock::time_point t) {
        clock.set(t);
        timer.fireOnce();
    }
    /// Waits (briefly: the recorder answers at once) for finalizations to be reported.
    void settle(const std::string& key, JobState state) {
        for (int i = 0; i < 500 && reporter.state(key) != state; ++i) {
            std::this_thread::sleep_for(2ms);
        }
    }
    std::size_t calls(const std::string& prefix) const {
        return recorder.callsStartingWith(prefix);
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(starts_and_stops_each_job_at_its_window_edges, Fixture) {
    // The timer is armed for the first window's start.
    BOOST_TEST((timer.pendingDelay() == std::optional<std::chrono::milliseconds>(10min)));
    BOOST_TEST(recorder.calls().empty());
    BOOST_TEST(reporter.state("a") == JobState::Waiting);

    runUntil(at(kNoon));
    BOOST_TEST(recorder.calls() == std::vector<std::string>{"start a"},
               boost::test_tools::per_element());
    BOOST_TEST(reporter.state("a") == JobState::Recording);
    BOOST_TEST((timer.pendingDelay() == std::optional<std::chrono::milliseconds>(30min)));

    // Back to back: a's end and b's start are one instant.
    runUntil(at(kNoon + 30min));
    settle("a", JobState::Recorded);
    BOOST_TEST(calls("finish a (window ended, at its end)") == 1u);
    BOOST_TEST(calls("start b") == 1u);
    BOOST_TEST(reporter.state("a") == JobState::Recorded);
    BOOST_TEST(reporter.job("a").file == "a.ts");
    BOOST_TEST(reporter.job("a").bytes == 1'000'000u);

    runUntil(at(kNoon + 60min));
    settle("b", JobState::Recorded);
    BOOST_TEST(scheduler.done());
    BOOST_TEST(!timer.pendingDelay().has_value());
    BOOST_TEST(reporter.said("Recording -> Finalizing: window ended"));
}

BOOST_FIXTURE_TEST_CASE(a_talk_that_moves_while_recording_is_followed, Fixture) {
    runUntil(at(kNoon));
    auto moved = plan;
    moved.jobs[0].until = kNoon + 45min;
    moved.jobs[0].talk.duration = 45min;
    scheduler.applyPlan(moved);
    BOOST_TEST(calls("retarget a until 2026-12-27T12:45:00Z") == 1u);
    // The old end passes without a stop; the new one stops it.
    clock.set(at(kNoon + 31min));
    scheduler.tick();
    BOOST_TEST(calls("finish a") == 0u);
    BOOST_TEST(reporter.state("a") == JobState::Recording);
    runUntil(at(kNoon + 45min));
    settle("a", JobState::Recorded);
    BOOST_TEST(calls("finish a") == 1u);
}

BOOST_FIXTURE_TEST_CASE(cancelled_talks_are_dropped_or_finished, Fixture) {
    runUntil(at(kNoon));
    confcap::plan::Plan without;  // both talks left the schedule
    scheduler.applyPlan(without);
    settle("a", JobState::Cancelled);
    BOOST_TEST(reporter.state("b") == JobState::Cancelled);
    BOOST_TEST(calls("start b") == 0u);
    // The recording one is finished (its file is kept) and counted as cancelled.
    BOOST_TEST(calls("finish a (talk removed from the schedule)") == 1u);
    BOOST_TEST(reporter.state("a") == JobState::Cancelled);
    BOOST_TEST(scheduler.done());
}

BOOST_FIXTURE_TEST_CASE(clock_jumps_neither_repeat_nor_lose_a_talk, Fixture) {
    // Forward into a's window (a suspend, an NTP step): it starts at once, late.
    clock.set(at(kNoon + 10min));
    scheduler.tick();
    BOOST_TEST(calls("start a") == 1u);
    BOOST_TEST(reporter.said("started late"));
    // Back before its start: nothing repeats, nothing stops.
    clock.set(at(kNoon - 5min));
    scheduler.tick();
    BOOST_TEST(calls("start a") == 1u);
    BOOST_TEST(calls("finish") == 0u);
    // Far forward past both windows: a is finished, b whose whole window passed is missed.
    clock.set(at(kNoon + 2h));
    scheduler.tick();
    settle("a", JobState::Recorded);
    BOOST_TEST(calls("finish a") == 1u);
    BOOST_TEST(reporter.state("b") == JobState::Failed);
    BOOST_TEST(calls("start b") == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_stop_inside_a_window_leaves_the_talk_open, Fixture) {
    runUntil(at(kNoon + 5min));
    scheduler.stop("confcap stopped");
    BOOST_TEST(calls("interrupt a (confcap stopped)") == 1u);
    BOOST_TEST(calls("finish") == 0u);
    BOOST_TEST(reporter.state("a") == JobState::Interrupted);
    BOOST_TEST(reporter.job("a").file == "a.ts");
    BOOST_TEST(reporter.state("b") == JobState::Waiting);
    BOOST_TEST(timer.cancelled());
    // Stopped: the clock moving on changes nothing.
    clock.set(at(kNoon + 40min));
    scheduler.tick();
    BOOST_TEST(calls("start b") == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_recorder_that_cannot_start_fails_the_job_alone, Fixture) {
    auto withBroken = plan;
    withBroken.jobs.push_back(job("broken", kNoon, 30min));
    scheduler.applyPlan(withBroken);
    runUntil(at(kNoon));
    BOOST_TEST(reporter.state("broken") == JobState::Failed);
    BOOST_TEST(reporter.job("broken").reason == "Cannot write to the output folder.");
    BOOST_TEST(reporter.state("a") == JobState::Recording);
}

BOOST_FIXTURE_TEST_CASE(a_stream_that_gives_up_ends_its_jobs_with_the_reason_at_once, Fixture) {
    runUntil(at(kNoon));
    confcap::capture::CaptureEvent gaveUp;
    gaveUp.kind = confcap::capture::CaptureEvent::Kind::GaveUp;
    gaveUp.message = "giving up: The URL \"x\" is malformed.";
    gaveUp.cause = "The URL \"x\" is malformed.";
    scheduler.captureEvent(gaveUp, {"a"});
    // Finished now, not at the window's end, with the capture's reason.
    settle("a", JobState::Recorded);
    BOOST_TEST(calls("finish a (the stream failed: the URL") == 1u, recorder.calls().size());
    BOOST_TEST(
        reporter.said("Recording -> Finalizing: the stream failed: the URL \"x\" is "
                      "malformed"));
}

BOOST_FIXTURE_TEST_CASE(the_counters_and_the_last_byte_stay_through_a_state_change, Fixture) {
    runUntil(at(kNoon));
    confcap::sink::SinkStatus progress;
    progress.bytes = 5000;
    progress.reconnects = 1;
    progress.lastData = at(kNoon) + 1s;
    recorder.setProgress(progress);
    clock.set(at(kNoon) + 2s);
    scheduler.tick();
    BOOST_TEST(reporter.job("a").bytes == 5000u);
    BOOST_TEST((reporter.job("a").lastData == progress.lastData));

    // The stream goes down: the job's state changes, its counters do not drop to zero.
    confcap::capture::CaptureEvent failed;
    failed.kind = confcap::capture::CaptureEvent::Kind::Failed;
    failed.message = "connection lost";
    failed.cause = "connection refused";
    failed.since = at(kNoon) + 2s;
    scheduler.captureEvent(failed, {"a"});
    BOOST_TEST(reporter.state("a") == JobState::Retrying);
    BOOST_TEST(reporter.job("a").bytes == 5000u);
    BOOST_TEST(reporter.job("a").reconnects == 1);
    BOOST_TEST((reporter.job("a").lastData == progress.lastData));
}

BOOST_AUTO_TEST_SUITE_END()
