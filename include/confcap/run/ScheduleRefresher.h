// Keeps a running plan current: the schedule is read again every --refresh and at once on request
// (SIGHUP), and a plan that changed goes to the scheduler. A refresh that fails keeps the last
// good plan and says so.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "confcap/core/Clock.h"
#include "confcap/core/Timer.h"
#include "confcap/plan/Plan.h"
#include "confcap/run/Report.h"
#include "confcap/run/Scheduler.h"

namespace confcap::run {

/// "2 added, 1 changed, 0 cancelled". Pure.
std::string describeChanges(const plan::PlanDiff& diff);

/// Refreshes on the thread of the timer it is given.
class ScheduleRefresher {
public:
    /// Reads the schedule again and makes its plan; nullopt when the schedule did not change.
    /// `everything` asks to re-read all that the plan comes from (SIGHUP: the config file too)
    /// and to make the plan even when the schedule is the same. Throws what it fails with.
    using Loader = std::function<std::optional<plan::Plan>(bool everything)>;
    /// Called with a plan that changed, before the scheduler gets it.
    using Changed = std::function<void(const plan::Plan&)>;
    /// Asked after a load that returned: why the schedule it read was the cached copy instead
    /// of a fresh one (the fetch failed), or nullopt when it was fresh. Such a load still
    /// counts as a failed refresh.
    using Fallback = std::function<std::optional<std::string>()>;

    /// How the refreshes went so far.
    struct Counts {
        std::uint64_t refreshes = 0;  ///< refreshes tried, periodic and requested
        std::uint64_t failures = 0;   ///< of those, the ones that threw or fell back to the cache
        /// The last time the schedule was read fresh (UTC); the plan the refresher starts with
        /// counts as read when the refresher is made.
        std::chrono::system_clock::time_point lastSuccess;
    };

    /// `clock`, `timer`, `scheduler` and `reporter` must outlive the refresher. The timer is the
    /// refresher's own: its one-time task is the next refresh, and it runs one task at a time. A
    /// `period` of 0 refreshes only on request.
    ScheduleRefresher(const core::Clock& clock, core::Timer& timer, Scheduler& scheduler,
                      Reporter& reporter, plan::Plan current, Loader load,
                      std::chrono::seconds period, Changed changed = {}, Fallback fallback = {});
    /// stop().
    ~ScheduleRefresher();
    ScheduleRefresher(const ScheduleRefresher&) = delete;
    ScheduleRefresher& operator=(const ScheduleRefresher&) = delete;

    /// Sets the first refresh on the timer, one period from now (at once when one was asked
    /// for). Call once.
    void start();
    /// Asks for a refresh now that re-reads everything (SIGHUP); before start(), the first refresh
    /// is that one. Thread-safe; async-signal-unsafe.
    void refreshNow();
    /// Cancels the refreshes, waiting for one under way. Thread-safe; idempotent.
    void stop();
    /// The refreshes so far. Thread-safe.
    Counts counts() const;
    /// How often the schedule is re-read; 0 when only on request.
    std::chrono::seconds period() const noexcept { return period_; }

private:
    // One refresh; runs on the timer.
    void refresh();
    // Sets the next refresh on the timer; call with mutex_ held.
    void arm();

    const core::Clock& clock_;
    core::Timer& timer_;
    Scheduler& scheduler_;
    Reporter& reporter_;
    plan::Plan current_;
    Loader load_;
    std::chrono::seconds period_;
    Changed changed_;
    Fallback fallback_;

    mutable std::mutex countsMutex_;
    Counts counts_;

    std::mutex mutex_;
    bool started_ = false;
    bool stopped_ = false;
    bool requested_ = false;
};

}  // namespace confcap::run
