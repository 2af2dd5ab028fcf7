// The Scheduler on a fake clock and a manual timer, with a recorder and a reporter that only take
// notes: window edges, moves, cancellations, clock jumps, a stop inside a window and a recorder
// that cannot start, an afternoon of schedule in milliseconds.
#include "confcap/run/Scheduler.h"

#include <boost/test/unit_test.hpp>

#include <future>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "confcap/core/Error.h"

using namespace std::chrono_literals;
using confcap::core::FakeClock;
using confcap::core::ManualTimer;
using confcap::run::JobState;
using confcap::run::Scheduler;

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
    j.fileStem = key;
    return j;
}

std::chrono::system_clock::time_point at(confcap::core::Instant t) {
    return std::chrono::system_clock::time_point(t.time_since_epoch());
}

/// Takes notes of what it is asked to do. Thread-safe.
class NotingRecorder final : public confcap::run::Recorder {
public:
    void start(const confcap::plan::Job& job) override {
        if (job.talk.title == "broken") {
            throw confcap::core::OutputError("Cannot write to the output folder.");
        }
        note("start " + job.talk.key());
    }
    void retarget(const confcap::plan::Job& job) override {
        note("retarget " + job.talk.key() + " until " + confcap::core::formatUtc(job.until));
    }
    std::optional<confcap::record::FinalizeResult> finish(const std::string& key,
                                                          std::string_view reason,
                                                          bool windowEnded) override {
        note("finish " + key + " (" + std::string(reason) + (windowEnded ? ", at its end)" : ")"));
        confcap::record::FinalizeResult result;
        result.outcome = confcap::record::Outcome::Recorded;
        result.reason = "recorded: 1.0 MB";
        result.files = {outDir_ / (key + ".ts")};
        result.status.bytes = 1'000'000;
        return result;
    }
    std::optional<confcap::record::SinkStatus> suspend(const std::string& key) override {
        note("suspend " + key);
        return confcap::record::SinkStatus{};
    }
    std::optional<confcap::record::SinkStatus> progress(const std::string&) const override {
        return confcap::record::SinkStatus{};
    }
    std::optional<std::string> partFile(const std::string& key) const override {
        return key + ".ts.part";
    }
    const std::filesystem::path& outDir() const noexcept override { return outDir_; }

    std::vector<std::string> calls() const {
        std::lock_guard lock(mutex_);
        return calls_;
    }

private:
    void note(std::string call) {
        std::lock_guard lock(mutex_);
        calls_.push_back(std::move(call));
    }
    mutable std::mutex mutex_;
    std::vector<std::string> calls_;
    std::filesystem::path outDir_ = "/out";
};

/// Keeps the latest snapshot of each job and every message; asks the scheduler something on
/// every call, which would deadlock if the scheduler called it with its lock held.
class NotingReporter final : public confcap::run::Reporter {
public:
    void publish(confcap::run::Event event) override {
        if (scheduler != nullptr) {
            scheduler->done();
        }
        std::lock_guard lock(mutex_);
        messages_.push_back(event.mark.talk + ": " + event.message);
    }
    void update(confcap::run::JobSnapshot snapshot) override {
        if (scheduler != nullptr) {
            scheduler->done();
        }
        std::lock_guard lock(mutex_);
        jobs_[snapshot.key] = std::move(snapshot);
    }
    JobState state(const std::string& key) const {
        std::lock_guard lock(mutex_);
        return jobs_.at(key).state;
    }
    confcap::run::JobSnapshot job(const std::string& key) const {
        std::lock_guard lock(mutex_);
        return jobs_.at(key);
    }
    bool said(const std::string& text) const {
        std::lock_guard lock(mutex_);
        return std::any_of(messages_.begin(), messages_.end(),
                           [&](const auto& m) { return m.find(text) != std::string::npos; });
    }
    Scheduler* scheduler = nullptr;

private:
    mutable std::mutex mutex_;
    std::vector<std::string> messages_;
    std::map<std::string, confcap::run::JobSnapshot> jobs_;
};

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
        const auto all = recorder.calls();
        return static_cast<std::size_t>(std::count_if(
            all.begin(), all.end(), [&](const auto& c) { return c.rfind(prefix, 0) == 0; }));
    }
};

}  // namespace

BOOST_TEST_DONT_PRINT_LOG_VALUE(JobState)

BOOST_AUTO_TEST_SUITE(SchedulerTest)

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
    BOOST_TEST(calls("suspend a") == 1u);
    BOOST_TEST(calls("finish") == 0u);
    BOOST_TEST(reporter.state("a") == JobState::Interrupted);
    BOOST_TEST(reporter.job("a").file == "a.ts.part");
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

BOOST_AUTO_TEST_SUITE_END()
