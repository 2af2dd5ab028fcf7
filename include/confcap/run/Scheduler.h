// Runs a plan on the wall clock: a one-time timer task fires at each window's start and end, and
// a repeating tick re-reads the wall clock and re-arms (a timer counts relative time, so an NTP
// step or a suspend must not make it skip a talk). Every state change goes through the JobTable
// and is reported; the clock, the timer and the recorder come in through interfaces, so a test
// drives an hour of schedule in milliseconds.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confcap/capture/RoomCapture.h"
#include "confcap/core/Clock.h"
#include "confcap/core/Timer.h"
#include "confcap/run/DiskGuard.h"
#include "confcap/run/JobProgress.h"
#include "confcap/run/JobTable.h"
#include "confcap/run/Journal.h"
#include "confcap/run/Recorder.h"
#include "confcap/run/Report.h"

namespace confcap::run {

class Scheduler {
public:
    struct Options {
        /// How often the wall clock is re-read (and progress reported).
        std::chrono::milliseconds tick{1000};
        /// Where final outcomes are kept across restarts; none when null. Must outlive the
        /// scheduler.
        Journal* journal = nullptr;
        /// A wall-clock time as the operator reads it ("10:31" in the conference's zone), for
        /// "waiting for the stream: HTTP 404 since 10:31"; RFC 3339 UTC when empty.
        std::function<std::string(std::chrono::system_clock::time_point)> clockText;
        /// What stop() does to running jobs: leave them open for the next run (record), or
        /// finalize them now (capture).
        bool keepOpenOnStop = true;
        /// Called once per job that was finalized (recorded, discarded or failed with a result),
        /// with its key, its mark and the result, after the outcome was reported and journaled;
        /// on the thread that finalized it, never with the scheduler's lock held. It must return
        /// at once (the --on-recorded hooks queue their work here).
        std::function<void(const std::string& key, const Mark& mark,
                           const sink::FinalizeResult& result)>
            onFinalized;
        /// Looks at the output folder's disk on each tick, and holds back starts while free
        /// space is below --min-free; none when null. Must outlive the scheduler.
        DiskGuard* diskGuard = nullptr;
    };

    /// `clock`, `timer`, `recorder` and `reporter` must outlive the scheduler. The reporter is
    /// never called while the scheduler holds its lock, and neither is the journal written.
    Scheduler(const core::Clock& clock, core::Timer& timer, Recorder& recorder, Reporter& reporter,
              JobTable::Marker marker, Options options);
    /// stop(), then waits for finalizations in progress.
    ~Scheduler();

    /// Takes the first or a refreshed plan and acts on the changes at once. Thread-safe.
    void applyPlan(const plan::Plan& plan);
    /// Starts the timer: a job already inside its window starts now. Call once.
    void start();
    /// Stops the timer and leaves every running job open for the next run (Interrupted, its
    /// parts kept), or finalizes it with `reason` (Options::keepOpenOnStop). Blocks until every
    /// recording has finished or stopped. Thread-safe; idempotent.
    void stop(const std::string& reason);
    /// True when no job waits, records or finalizes. Thread-safe.
    bool done() const;
    /// A copy of the jobs and their states. Thread-safe.
    std::vector<JobEntry> entries() const;
    /// How the job's recording ended, once it was finalized. Thread-safe.
    std::optional<sink::FinalizeResult> result(const std::string& key) const;

    /// A recording an earlier run left, finalized before this run's first plan
    /// (sink::recoverLeftovers): told, journaled as the outcome of `job` (none when it belongs
    /// to no job of the plan; its key is then its file stem), and handed on like a talk this run
    /// finished (Options::onFinalized). Call before applyPlan(), so that the job keeps that
    /// outcome. Thread-safe.
    void finishedEarlier(const plan::Job* job, const sink::FinalizeResult& result);

    /// Takes a capture's event (from the CaptureRecorder's handler, on the capture's thread):
    /// reports it marked with the room and talk, moves the attached jobs between Recording and
    /// Retrying, and ends them when the capture gave up, or when the stream ended and they end
    /// at its end (plan::JobEnding).
    void captureEvent(const capture::CaptureEvent& event, const std::vector<std::string>& keys);

    /// One evaluation at the clock's current time: carries out due starts and stops, re-arms
    /// the boundary timer and reports progress. The timer calls it.
    void tick();

private:
    void carryOut(std::vector<Action> actions);
    // Asks the disk guard whether starts are held at `now`; false without one.
    bool startsHeld(TimePoint now);
    void finishAsync(const Action& action);
    /// Before `job` starts: the file an earlier run published when it stopped inside the
    /// window becomes the recording's first piece again (sink::reopenPublished).
    void reopen(const plan::Job& job);
    void finished(const std::string& key, std::optional<sink::FinalizeResult> result,
                  const std::string& error);
    void reportProgress();
    void arm(TimePoint now);
    JobSnapshot snapshot(const JobEntry& entry) const;
    // Queues work for the reporter or the journal; call with mutex_ held.
    void later(std::function<void()> work);
    // Queues the journal's record of the job with `key`; call with mutex_ held.
    void journalLater(const std::string& key, const Mark& mark, Journal::Entry entry);
    // Runs what was queued, in order, without holding mutex_.
    void flush();

    const core::Clock& clock_;
    core::Timer& timer_;
    Recorder& recorder_;
    Reporter& reporter_;
    Options options_;

    mutable std::mutex mutex_;
    JobTable table_;
    JobTable::Marker markOf_;
    std::list<std::future<void>> finishing_;
    bool started_ = false;
    bool stopped_ = false;
    std::optional<TimePoint> armedFor_;
    std::vector<std::function<void()>> pending_;  ///< reports and journal writes to make
    std::mutex flushMutex_;                       ///< keeps them in order across threads
    std::map<std::string, sink::FinalizeResult> results_;
    std::map<std::string, sink::SinkStatus> counters_;  ///< the latest counters of each job
    JobRates rates_;  ///< each running job's bit/s, for the status and the disk guard
};

}  // namespace confcap::run
