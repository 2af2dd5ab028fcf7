// The jobs of a run and their one state machine: which job starts or stops at a given wall-clock
// time, and how a new plan (a refreshed schedule) changes them. Pure: no threads, no I/O; the
// Scheduler feeds it the time and carries out the actions it returns.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "confcap/plan/Plan.h"
#include "confcap/run/Report.h"
#include "confcap/sink/Recording.h"

namespace confcap::run {

using TimePoint = std::chrono::system_clock::time_point;

struct JobEntry {
    plan::Job job;
    Mark mark;
    JobState state = JobState::Waiting;
    std::string reason;
    std::string file;        ///< relative to the output folder, once known
    bool cancelled = false;  ///< the schedule dropped it while it was recording
    /// Its window has begun and it waits for disk space (see JobTable::tick) since then (UTC).
    std::optional<TimePoint> heldSince{};
};

/// The reason of a job whose window has begun while free space is below --min-free.
inline constexpr const char* kWaitingForDiskSpace = "waiting for disk space";

/// What the Scheduler must do for a job.
struct Action {
    enum class Kind {
        Start,      ///< attach the job's sink to its room's capture
        Retarget,   ///< a running job's window changed: tell the capture the new end
        Stop,       ///< detach and finalize; `reason` goes into the sidecar
        Interrupt,  ///< detach and publish what it has; the next run continues it (confcap stops)
        Hold,       ///< its window has begun, but it waits for disk space: tell the operator
    };
    Kind kind;
    plan::Job job;
    std::string reason;
    /// Stop: the job's window ended (its recording may wait for the segment holding the end).
    bool windowEnded = false;
    /// Start: since when it waited for disk space inside its window (UTC); that time is a gap.
    std::optional<TimePoint> heldSince{};
};

class JobTable {
public:
    /// Called for every state change, after it happened (the log line and the status).
    using TransitionListener =
        std::function<void(const JobEntry& entry, JobState from, JobState to)>;
    /// The mark ("[Saal 1 | 10:30 Opening]") of a job.
    using Marker = std::function<Mark(const plan::Job&)>;

    JobTable(Marker marker, TransitionListener listener);

    /// Takes a plan: the first one, or a refreshed one. New jobs wait; jobs gone from the plan
    /// are cancelled (Stop for running ones); moved jobs follow (Retarget for running ones, whose
    /// new end the next tick() honours). Skipped talks are entered as Skipped.
    std::vector<Action> applyPlan(const plan::Plan& plan);

    /// Enters `job` in a final state an earlier run reached (from the journal); not a transition.
    /// Does nothing when the job is already known.
    void restore(const plan::Job& job, JobState state, std::string reason, std::string file);

    /// The actions due at `now`: Start for waiting jobs whose window has begun (a job already
    /// under way starts now), Stop for running jobs whose window has ended. A waiting job whose
    /// whole window lies in the past fails as missed. Reading state, not edges, makes it safe
    /// against clock jumps: a backward jump neither repeats nor loses a job.
    /// With `holdStarts` (free space below --min-free) a job whose window has begun keeps
    /// waiting, with the reason kWaitingForDiskSpace (one Hold action when it begins to wait);
    /// once starts are no longer held it starts with the time it waited (Action::heldSince).
    /// Running jobs are not affected.
    std::vector<Action> tick(TimePoint now, bool holdStarts = false);

    /// For every running job as confcap shuts down inside its window: Interrupt when `keepOpen`
    /// (it is Interrupted: what it has is published, and the next run continues it), else Stop
    /// (it is finalized now).
    /// Waiting jobs stay waiting.
    std::vector<Action> stopAll(const std::string& reason, bool keepOpen = true);

    /// Stop for a running job before its window's end (its stream ended, its file cannot be
    /// written); nullopt when it is not running.
    std::optional<Action> end(const std::string& key, const std::string& reason);

    /// A started job's stream is down (Retrying) or flows again (Recording).
    void streamState(const std::string& key, bool flowing, const std::string& reason);

    /// A stopped job's final outcome: Recorded, Discarded or Failed (Cancelled when the schedule
    /// dropped it while it recorded).
    void finished(const std::string& key, JobState outcome, std::string reason, std::string file);

    /// A job that could not start (its sink or capture failed at once).
    void failedToStart(const std::string& key, std::string reason);

    /// The earliest window start or end after `now`, for arming the timer.
    std::optional<TimePoint> nextBoundary(TimePoint now) const;

    /// True when no job waits, records or finalizes.
    bool done() const;

    const std::vector<JobEntry>& entries() const noexcept { return entries_; }
    /// The marker jobs are marked with.
    const Marker& marker() const noexcept { return marker_; }
    const JobEntry* find(const std::string& key) const;

private:
    JobEntry* findMutable(const std::string& key);
    /// The one place a job's state changes: checks the move is allowed and tells the listener.
    /// Throws std::logic_error for a move the state machine does not allow.
    void transition(JobEntry& entry, JobState to, std::string reason);

    Marker marker_;
    TransitionListener listener_;
    std::vector<JobEntry> entries_;
};

/// Whether the state machine allows `from` -> `to`. Pure.
bool transitionAllowed(JobState from, JobState to) noexcept;

}  // namespace confcap::run
