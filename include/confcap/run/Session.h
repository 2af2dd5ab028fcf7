// One run of the recorder: the parts that record a plan (the recorder of captures and sinks, the
// scheduler on its timer, the journal, the --on-recorded hooks, the content health checks, the
// disk guard and the schedule refresh loop), wired to each other and to a reporter, and their
// lifetime from the first plan to the run's end. `record` runs one over a conference's plan,
// `capture` one over a single job.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <date/tz.h>

#include "confcap/core/Clock.h"
#include "confcap/health/ContentHealth.h"
#include "confcap/plan/Plan.h"
#include "confcap/run/CaptureRecorder.h"
#include "confcap/run/DiskGuard.h"
#include "confcap/run/HealthChecker.h"
#include "confcap/run/HookRunner.h"
#include "confcap/run/Journal.h"
#include "confcap/run/PocoTimer.h"
#include "confcap/run/Report.h"
#include "confcap/run/ScheduleRefresher.h"
#include "confcap/run/Scheduler.h"

namespace confcap::run {

/// What a run's exit code is decided from: its jobs as they were reported last.
struct SessionEnd {
    std::size_t writeFailures = 0;  ///< talks whose writing failed (disk full, file size limit)
    std::string writeError;         ///< the last of those failures, one sentence
    std::size_t failed = 0;         ///< talks whose outcome is Failed
    std::size_t discarded = 0;      ///< talks whose outcome is Discarded

    bool operator==(const SessionEnd&) const = default;
};

/// The end of a run with `jobs`. Pure.
SessionEnd sessionEndOf(const std::vector<JobSnapshot>& jobs);

class Session {
public:
    struct Options {
        /// How the talks are recorded: the output folder, --min-size, --container... The
        /// recorder's clock is the session's.
        CaptureRecorder::Options recorder;
        /// How often the scheduler re-reads the clock and reports progress.
        std::chrono::milliseconds tick{1000};
        /// What the end does to running jobs: leave them open for the next run (record), or
        /// finalize them (capture). See Scheduler::Options::keepOpenOnStop.
        bool keepOpenOnStop = true;
        /// Keeps the final outcomes (and the hooks' states) in <out>/.confcap/journal.json.
        bool journal = false;
        /// Before the first plan, finishes what an earlier run left in the output folder.
        bool finishLeftovers = false;
        /// --on-recorded; none without. Its journal is the session's.
        std::optional<HookRunner::Options> hooks;
        /// The content health checks; none with --no-health.
        std::optional<health::Thresholds> health;
        /// --min-free: the disk guard looks at the output folder's disk; none without.
        std::optional<MinFree> minFree;
        /// The zone of the health flags' clock times; UTC when null.
        const date::time_zone* zone = nullptr;
        /// The jobs as reported last (the health checks measure the recording ones); none when
        /// empty.
        std::function<std::vector<JobSnapshot>()> jobs;
        /// The mark of a job ("[Saal 1 | 10:30 Opening]").
        JobTable::Marker marker;
        /// A wall-clock time as the operator reads it; RFC 3339 UTC when empty.
        std::function<std::string(std::chrono::system_clock::time_point)> clockText;
        /// Reads the schedule again for a new plan; no refreshes when empty.
        ScheduleRefresher::Loader refresh;
        std::chrono::seconds refreshPeriod{0};  ///< 0: only on request
        ScheduleRefresher::Changed planChanged;
        ScheduleRefresher::Fallback refreshFallback;
        /// Sees each capture event, on the capture's thread, before the scheduler acts on it.
        CaptureRecorder::EventHandler onCaptureEvent;
    };

    /// Builds the parts; talks an earlier run finished whose hook did not finish get it now.
    /// `clock` and `reporter` must outlive the session.
    Session(Options options, const core::Clock& clock, Reporter& reporter);
    /// finish("confcap stopped") when not finished yet.
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Finishes the leftovers of an earlier run (Options::finishLeftovers): a talk of `plan`
    /// whose window is open now is continued by its job instead. Then takes `plan`, starts the
    /// scheduler and the refresh loop. Call once.
    void start(const plan::Plan& plan);
    /// Re-reads the schedule and what the plan comes from now (SIGHUP). Thread-safe.
    void refreshNow();
    /// The operator asked to stop (Ctrl-C): the waits end. Thread-safe.
    void interrupt();
    /// True once interrupt() was called. Thread-safe.
    bool interrupted() const noexcept { return interrupted_; }
    /// Blocks until interrupt(), or with `untilDone` until no job waits, records or finalizes,
    /// checking every `poll`, or until `deadline`. True when the run is over (interrupted, or
    /// done with `untilDone`).
    bool waitForEnd(bool untilDone, std::chrono::milliseconds poll,
                    std::chrono::steady_clock::time_point deadline =
                        std::chrono::steady_clock::time_point::max());
    /// Ends the run: stops the refresh loop and the scheduler (running jobs end as
    /// Options::keepOpenOnStop says, with `reason`); without interrupt() waits for the hooks
    /// and the health checks of the last talks, which interrupt() cuts short. Idempotent.
    void finish(const std::string& reason);

    /// True when no job waits, records or finalizes. Thread-safe.
    bool done() const;
    /// How the job's recording ended, once it was finalized. Thread-safe.
    std::optional<sink::FinalizeResult> result(const std::string& key) const;
    /// A room's announced rate (HLS BANDWIDTH) for the disk guard, in bit/s. Thread-safe.
    void announce(const std::string& room, double bitsPerSecond);
    /// The schedule refreshes so far; none without a refresh loop. Thread-safe.
    std::optional<ScheduleRefresher::Counts> refreshes() const;
    /// How often the schedule is re-read; 0 when only on request.
    std::chrono::seconds refreshPeriod() const noexcept { return options_.refreshPeriod; }
    /// How the hooks ended so far; none without --on-recorded. Thread-safe.
    std::optional<HookCounts> hookCounts() const;
    /// The hooks of this run's talks; empty without --on-recorded. Thread-safe.
    std::vector<HookRecord> hookRecords() const;
    /// A talk published again outside the scheduler (cut again from its room's tape) goes the
    /// way of a talk finished now: its hook and its content check. Thread-safe.
    void published(const std::string& key, const Mark& mark, const sink::FinalizeResult& result);
    /// Whether the hook or the content check of the talk with job key `key` waits or runs:
    /// its file and sidecar are not to be replaced now. Thread-safe.
    bool busyWith(const std::string& key) const;

private:
    CaptureRecorder::Options recorderOptions() const;
    Scheduler::Options schedulerOptions();
    std::unique_ptr<HookRunner> makeHooks();
    std::unique_ptr<HealthChecker> makeHealthChecker();
    std::unique_ptr<DiskGuard> makeDiskGuard();
    // The talk of each leftover is finalized and goes the way of a talk finished now.
    void finishLeftovers(const plan::Plan& plan);
    // Waits for the hooks, then the health checks, as finish() says.
    void finishHooks();
    void finishHealthChecks();

    Options options_;
    const core::Clock& clock_;
    Reporter& reporter_;
    CaptureRecorder recorder_;
    std::unique_ptr<Journal> journal_;
    std::unique_ptr<HookRunner> hooks_;
    std::unique_ptr<HealthChecker> health_;
    std::unique_ptr<DiskGuard> diskGuard_;
    PocoTimer timer_;
    Scheduler scheduler_;
    PocoTimer refreshTimer_;  // the refresher's own: a timer holds one task at a time
    std::unique_ptr<ScheduleRefresher> refresher_;

    std::atomic<bool> interrupted_{false};
    bool finished_ = false;
    std::mutex mutex_;
    std::condition_variable wake_;
};

}  // namespace confcap::run
