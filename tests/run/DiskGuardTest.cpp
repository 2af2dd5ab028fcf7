// The disk guard: its pure decisions as tables, and the guard inside a Scheduler on a fake clock
// and a manual timer, with the free space injected: warnings as the disk fills, a talk whose
// window opens while space is short waits and then starts with its wait as a "disk full" gap,
// while the talk under way goes on.
#include "confcap/run/DiskGuard.h"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <mutex>
#include <ostream>

#include "support/FakeClock.h"
#include "support/JobStatePrinting.h"
#include "support/ManualTimer.h"
#include "support/RunFakes.h"

BOOST_AUTO_TEST_SUITE(DiskGuardTest)

namespace bdata = boost::unit_test::data;
using namespace std::chrono_literals;
using confcap::plan::DiskOutlook;
using confcap::run::DiskGuard;
using confcap::run::DiskNotice;
using confcap::run::DiskSpace;
using confcap::run::JobState;
using confcap::run::MinFree;
using confcap::run::Scheduler;
using confcap::testing::at;
using confcap::testing::FakeClock;
using confcap::testing::job;
using confcap::testing::kNoon;
using confcap::testing::ManualTimer;
using confcap::testing::NotingRecorder;
using confcap::testing::NotingReporter;

namespace {

constexpr std::uint64_t kMB = 1'000'000;
constexpr std::uint64_t kGB = 1'000'000'000;
constexpr std::uint64_t kGiB = 1024ULL * 1024 * 1024;

struct ReserveCase {
    const char* name;
    MinFree minFree;
    std::uint64_t total;
    std::uint64_t reserve;
};

std::ostream& operator<<(std::ostream& out, const ReserveCase& c) {
    return out << c.name;
}

const ReserveCase kReserves[] = {
    {"default on a large disk: 1 GiB", {}, 500 * kGB, kGiB},
    {"default on a small disk: 5 %", {}, 8 * kMB, 400'000},
    {"bytes as given", {500 * kMB, std::nullopt}, 8 * kMB, 500 * kMB},
    {"a share of the file system", {std::nullopt, 10.0}, 200 * kGB, 20 * kGB},
    {"0 % holds nothing back", {std::nullopt, 0.0}, 200 * kGB, 0},
};

struct NoticeCase {
    DiskOutlook warned;
    DiskOutlook now;
    DiskNotice notice;
};

std::ostream& operator<<(std::ostream& out, const NoticeCase& c) {
    return out << static_cast<int>(c.warned) << " -> " << static_cast<int>(c.now);
}

const NoticeCase kNotices[] = {
    {DiskOutlook::Fits, DiskOutlook::Fits, DiskNotice::None},
    {DiskOutlook::Fits, DiskOutlook::DoesNotFit, DiskNotice::Warn},
    {DiskOutlook::DoesNotFit, DiskOutlook::DoesNotFit, DiskNotice::None},
    {DiskOutlook::DoesNotFit, DiskOutlook::UnderAnHour, DiskNotice::Warn},
    {DiskOutlook::UnderAnHour, DiskOutlook::UnderFifteenMinutes, DiskNotice::Warn},
    {DiskOutlook::Fits, DiskOutlook::UnderFifteenMinutes, DiskNotice::Warn},
    // Better again but not fitting (a talk was dropped): nothing new to say.
    {DiskOutlook::UnderAnHour, DiskOutlook::DoesNotFit, DiskNotice::None},
    {DiskOutlook::UnderFifteenMinutes, DiskOutlook::Fits, DiskNotice::FitsAgain},
};

/// A disk whose free space the test sets. Thread-safe.
class TestDisk {
public:
    void set(std::uint64_t freeBytes) {
        std::lock_guard lock(mutex_);
        free_ = freeBytes;
    }
    int looks() const {
        std::lock_guard lock(mutex_);
        return looks_;
    }
    confcap::run::FreeSpace freeSpace() {
        return [this] {
            std::lock_guard lock(mutex_);
            ++looks_;
            return DiskSpace{free_, 100 * kGB};
        };
    }

private:
    mutable std::mutex mutex_;
    std::uint64_t free_ = 10 * kGB;
    int looks_ = 0;
};

/// Two rooms: "a" in Saal 1 at noon, "b" in Saal 2 ten minutes later, half an hour each, both
/// assumed at 3 Mbit/s (675 MB each); --min-free 2 GB.
struct GuardFixture {
    FakeClock clock{at(kNoon) - 10min};
    ManualTimer timer;
    NotingRecorder recorder;
    NotingReporter reporter;
    TestDisk disk;
    DiskGuard guard{disk.freeSpace(), reporter, [] {
                        DiskGuard::Options options;
                        options.minFree.bytes = 2 * kGB;
                        options.folder = "/out";
                        return options;
                    }()};
    Scheduler scheduler{clock,
                        timer,
                        recorder,
                        reporter,
                        [](const confcap::plan::Job& j) {
                            return confcap::run::Mark{j.talk.room, j.talk.title};
                        },
                        [this] {
                            Scheduler::Options options;
                            options.diskGuard = &guard;
                            return options;
                        }()};

    GuardFixture() {
        reporter.scheduler = &scheduler;
        confcap::plan::Plan plan;
        plan.jobs = {job("a", kNoon, 30min), job("b", kNoon + 10min, 30min)};
        plan.jobs[1].talk.room = "Saal 2";
        scheduler.applyPlan(plan);
        scheduler.start();
    }
    /// Moves the clock to `t` and ticks, as the timer's repeating task does every second.
    void tickAt(std::chrono::system_clock::time_point t) {
        clock.set(t);
        timer.fireRepeating();
    }
    std::size_t calls(const std::string& prefix) const {
        return recorder.callsStartingWith(prefix);
    }
};

}  // namespace

BOOST_DATA_TEST_CASE(theReserveIsBytesAShareOrTheDefault, bdata::make(kReserves), c) {
    BOOST_TEST(confcap::run::reserveBytes(c.minFree, c.total) == c.reserve);
}

BOOST_DATA_TEST_CASE(warnsOnceForEachLevelItReaches, bdata::make(kNotices), c) {
    BOOST_TEST((confcap::run::diskNotice(c.warned, c.now) == c.notice));
}

BOOST_FIXTURE_TEST_CASE(looksAtTheStartThenEveryMinute, GuardFixture) {
    BOOST_TEST(disk.looks() == 1);
    const auto first = reporter.lastDisk();
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(first->freeBytes == 10 * kGB);
    BOOST_TEST(first->reserveBytes == 2 * kGB);
    BOOST_TEST(first->neededBytes == 1'350 * kMB);
    BOOST_TEST(first->peakBitsPerSecond == 6e6);
    BOOST_TEST(!first->runsOutAt.has_value());
    BOOST_TEST(reporter.said("disk: 10.0 GB free on /out; the rest of the plan needs 1.4 GB"));

    tickAt(at(kNoon) - 9min - 30s);
    BOOST_TEST(disk.looks() == 1);
    tickAt(at(kNoon) - 9min);
    BOOST_TEST(disk.looks() == 2);
}

BOOST_AUTO_TEST_CASE(warnsWhenTheRestDoesNotFitThenWithinTheHourThenWithin15Minutes) {
    // Three hours at 3 Mbit/s from noon need 4.05 GB.
    NotingReporter reporter;
    TestDisk disk;
    DiskGuard::Options options;
    options.minFree.bytes = 0;
    options.folder = "/out";
    DiskGuard guard(disk.freeSpace(), reporter, options);
    const std::vector<confcap::plan::Job> rest = {job("a", kNoon, 3h)};
    const auto checkAt = [&](std::chrono::system_clock::duration after, std::uint64_t free) {
        disk.set(free);
        guard.check(at(kNoon) + after, rest, {}, false);
    };

    checkAt(0min, 5 * kGB);
    BOOST_TEST(!reporter.said("does not fit"));

    checkAt(1min, 3 * kGB);  // lasts 8000 s
    BOOST_TEST(
        reporter.said("the rest of the plan does not fit: it needs 4.0 GB, 3.0 GB is free "
                      "on /out; it runs out at 2026-12-27T14:14:20Z"));
    BOOST_TEST(!reporter.said("disk space runs out in"));

    checkAt(2min, 1 * kGB);  // lasts 2666 s
    BOOST_TEST(
        reporter.said("disk space runs out in 44.4 min (at 2026-12-27T12:46:26Z): 1.0 GB "
                      "free on /out, the rest of the plan needs 4.0 GB"));
    BOOST_TEST(!reporter.said("runs out in 13"));

    checkAt(3min, 300 * kMB);  // lasts 800 s
    BOOST_TEST(reporter.said("disk space runs out in 13.3 min (at 2026-12-27T12:16:20Z)"));

    checkAt(4min, 10 * kGB);
    BOOST_TEST(reporter.said("the rest of the plan fits again: it needs 4.0 GB, 10.0 GB is free"));
}

BOOST_FIXTURE_TEST_CASE(aTalkWaitsForSpaceAndStartsWithItsWaitAsAGap, GuardFixture) {
    clock.set(at(kNoon));
    timer.fireOnce();
    BOOST_TEST(calls("start a") == 1U);

    // Space runs short while a records: a goes on.
    disk.set(1 * kGB);
    tickAt(at(kNoon) + 1min);
    BOOST_TEST(reporter.said("free space 1.0 GB on /out is below --min-free 2.0 GB"));
    BOOST_TEST(reporter.state("a") == JobState::Recording);
    BOOST_TEST(calls("finish a") == 0U);

    // b's window opens: it waits, and says so.
    clock.set(at(kNoon + 10min));
    timer.fireOnce();
    BOOST_TEST(calls("start b") == 0U);
    BOOST_TEST(reporter.state("b") == JobState::Waiting);
    BOOST_TEST(reporter.job("b").reason == "waiting for disk space");
    BOOST_TEST(reporter.said("waiting for disk space: its window has begun"));

    // While it waits the disk is looked at every 5 s; space comes back at 12:10:03.
    tickAt(at(kNoon + 10min) + 1s);
    disk.set(5 * kGB);
    tickAt(at(kNoon + 10min) + 3s);
    BOOST_TEST(calls("start b") == 0U);
    tickAt(at(kNoon + 10min) + 5s);
    BOOST_TEST(recorder.calls().back() == "start b after a 'disk full' gap of 5 s");
    BOOST_TEST(reporter.state("b") == JobState::Recording);
    BOOST_TEST(reporter.said("free space is back above --min-free"));
    BOOST_TEST(reporter.said("Waiting -> Recording: disk space is back, recording from now"));
    BOOST_TEST(reporter.state("a") == JobState::Recording);
}

BOOST_FIXTURE_TEST_CASE(aRoomThatRecordsIsForecastAtTheRateItReceives, GuardFixture) {
    clock.set(at(kNoon));
    timer.fireOnce();  // a starts with 0 bytes; the disk is looked at
    confcap::sink::SinkStatus progress;
    progress.bytes = 3'750'000;  // 30 s at 1 Mbit/s
    recorder.setProgress(progress);
    tickAt(at(kNoon) + 30s);
    tickAt(at(kNoon) + 60s);
    // a's last 29 minutes at 1 Mbit/s, b's 30 at the assumed 3 Mbit/s.
    BOOST_TEST(reporter.lastDisk()->neededBytes == 217'500'000U + 675'000'000U);
    BOOST_TEST(reporter.lastDisk()->peakBitsPerSecond == 4e6);
}

BOOST_FIXTURE_TEST_CASE(aTalkThatWaitsThroughItsWholeWindowFailsSayingWhy, GuardFixture) {
    disk.set(1 * kGB);
    tickAt(at(kNoon) - 9min);
    clock.set(at(kNoon));
    timer.fireOnce();
    BOOST_TEST(calls("start a") == 0U);
    BOOST_TEST(reporter.state("a") == JobState::Waiting);
    tickAt(at(kNoon + 30min));
    BOOST_TEST(reporter.state("a") == JobState::Failed);
    BOOST_TEST(reporter.job("a").reason == "its window passed while it waited for disk space");
}

BOOST_AUTO_TEST_CASE(aDiskThatCannotBeReadIsToldOnceAndHoldsNothingBack) {
    NotingReporter reporter;
    int looks = 0;
    DiskGuard guard(
        [&looks]() -> DiskSpace {
            ++looks;
            throw confcap::core::OutputError("Cannot read the free space of /gone: No such file.");
        },
        reporter, {});
    BOOST_TEST(!guard.check(at(kNoon), {job("a", kNoon, 30min)}, {}, false));
    BOOST_TEST(!guard.check(at(kNoon) + 2min, {job("a", kNoon, 30min)}, {}, false));
    BOOST_TEST(looks == 2);
    BOOST_TEST(reporter.said("Cannot read the free space of /gone"));
    BOOST_TEST(!reporter.lastDisk().has_value());
}

BOOST_AUTO_TEST_CASE(oldRoomTapesMakeRoomBeforeTalksWait) {
    NotingReporter reporter;
    std::uint64_t free = 1 * kGB;
    std::vector<std::uint64_t> asked;
    DiskGuard::Options options;
    options.minFree.bytes = 2 * kGB;
    options.makeRoom = [&](std::uint64_t bytes) {
        asked.push_back(bytes);
        free += 3 * kGB;  // the tapes it deleted
        return std::uint64_t{3 * kGB};
    };
    DiskGuard guard([&free] { return DiskSpace{free, 100 * kGB}; }, reporter, options);
    // 1 GB free; the reserve (2 GB) and the talk (675 MB) need 1.675 GB more.
    BOOST_TEST(!guard.check(at(kNoon), {job("a", kNoon, 30min)}, {}, false));
    BOOST_TEST_REQUIRE(asked.size() == 1u);
    BOOST_TEST(asked.front() == 2 * kGB + 675 * kMB - 1 * kGB);
    BOOST_TEST(reporter.said("disk: deleted 3.0 GB of the oldest room tapes"));
    BOOST_TEST(reporter.lastDisk()->freeBytes == 4 * kGB);
    // With room enough, nothing more is deleted.
    BOOST_TEST(!guard.check(at(kNoon) + 2min, {job("a", kNoon, 30min)}, {}, false));
    BOOST_TEST(asked.size() == 1u);
}

BOOST_AUTO_TEST_CASE(theRealDiskHasSpace) {
    const auto space = confcap::run::freeSpaceOf(CONFCAP_SOURCE_DIR)();
    BOOST_TEST(space.totalBytes > 0U);
    BOOST_TEST(space.freeBytes <= space.totalBytes);
    BOOST_CHECK_THROW(confcap::run::freeSpaceOf("/nonexistent/confcap")(),
                      confcap::core::OutputError);
}

BOOST_AUTO_TEST_SUITE_END()
