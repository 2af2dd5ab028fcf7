// Runs a plan on the wall clock: a Poco::Util::Timer fires at each window's start and end, and a
// periodic tick re-reads the wall clock and re-arms (Poco's timer counts relative time, so an NTP
// step or a suspend must not make it skip a talk). Every state change goes through the JobTable
// and is published on the StatusBoard.
#pragma once

#include <Poco/Util/Timer.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "confcap/core/Clock.h"
#include "confcap/run/CaptureRecorder.h"
#include "confcap/run/JobTable.h"
#include "confcap/run/Journal.h"
#include "confcap/run/Report.h"

namespace confcap::run {

class Scheduler {
public:
    struct Options {
        /// How often the wall clock is re-read (and progress published).
        std::chrono::milliseconds tick{1000};
        /// Where final outcomes are kept across restarts; none when null. Must outlive the
        /// scheduler.
        Journal* journal = nullptr;
        /// A wall-clock time as the operator reads it ("10:31" in the conference's zone), for
        /// "waiting for the stream: HTTP 404 since 10:31"; RFC 3339 UTC when empty.
        std::function<std::string(std::chrono::system_clock::time_point)> clockText;
    };

    /// `clock`, `recorder` and `board` must outlive the scheduler.
    Scheduler(const core::Clock& clock, CaptureRecorder& recorder, Reporter& board,
              JobTable::Marker marker, Options options);
    /// stop(), then waits for finalizations in progress.
    ~Scheduler();

    /// Takes the first or a refreshed plan and acts on the changes at once. Thread-safe.
    void applyPlan(const plan::Plan& plan);
    /// Starts the timer: a job already inside its window starts now. Call once.
    void start();
    /// Ends every running job now (finalizing its file with `reason`) and stops the timer.
    /// Blocks until every file is final. Thread-safe; idempotent.
    void stop(const std::string& reason);
    /// Blocks until no job waits, records or finalizes, or until stop(). Returns done().
    bool waitUntilDone();
    /// Blocks at most `timeout` for the same.
    bool waitUntilDone(std::chrono::milliseconds timeout);
    bool done() const;
    /// A copy of the jobs and their states. Thread-safe.
    std::vector<JobEntry> entries() const;

    /// Takes a capture's event (from the CaptureRecorder's handler, on the capture's thread):
    /// logs it marked with the room and talk, and moves the attached jobs between Recording and
    /// Retrying.
    void captureEvent(const record::CaptureEvent& event, const std::vector<std::string>& keys);

    /// One evaluation at the clock's current time: carries out due starts and stops and
    /// re-arms the boundary timer. The timer calls it; tests on a fake clock call it directly.
    void tick();

private:
    void carryOut(std::vector<Action> actions);
    void finishAsync(const Action& action);
    void publishProgress();
    void arm(TimePoint now);
    void onTimer(Poco::Util::TimerTask& task);
    JobSnapshot snapshot(const JobEntry& entry) const;

    const core::Clock& clock_;
    CaptureRecorder& recorder_;
    Reporter& board_;
    Options options_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    JobTable table_;
    std::list<std::future<void>> finishing_;
    bool stopped_ = false;
    std::optional<TimePoint> armedFor_;
    std::map<std::string, std::pair<std::uint64_t, TimePoint>> lastBytes_;  ///< for bitrates

    Poco::Util::Timer timer_;
    Poco::Util::TimerTask::Ptr tickTask_;
    Poco::Util::TimerTask::Ptr boundaryTask_;
};

}  // namespace confcap::run
