#include "confcap/run/ScheduleRefresher.h"

#include <exception>
#include <utility>

#include "confcap/core/Text.h"

namespace confcap::run {

std::string describeChanges(const plan::PlanDiff& diff) {
    return std::to_string(diff.added.size()) + " added, " + std::to_string(diff.changed.size()) +
           " changed, " + std::to_string(diff.cancelled.size()) + " cancelled";
}

ScheduleRefresher::ScheduleRefresher(const core::Clock& clock, core::Timer& timer,
                                     Scheduler& scheduler, Reporter& reporter, plan::Plan current,
                                     Loader load, std::chrono::seconds period, Changed changed,
                                     Fallback fallback)
    : clock_(clock),
      timer_(timer),
      scheduler_(scheduler),
      reporter_(reporter),
      current_(std::move(current)),
      load_(std::move(load)),
      period_(period),
      changed_(std::move(changed)),
      fallback_(std::move(fallback)) {
    counts_.lastSuccess = clock_.now();
}

ScheduleRefresher::~ScheduleRefresher() {
    stop();
}

void ScheduleRefresher::start() {
    std::lock_guard lock(mutex_);
    started_ = true;
    arm();
}

void ScheduleRefresher::refreshNow() {
    std::lock_guard lock(mutex_);
    requested_ = true;
    if (started_) {
        arm();
    }
}

void ScheduleRefresher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    timer_.cancel();
}

ScheduleRefresher::Counts ScheduleRefresher::counts() const {
    std::lock_guard lock(countsMutex_);
    return counts_;
}

void ScheduleRefresher::arm() {
    if (stopped_) {
        return;
    }
    // A request replaces the periodic refresh set before; a period of 0 turns that one off.
    if (requested_) {
        timer_.once(std::chrono::milliseconds(0), [this] { refresh(); });
    } else if (period_.count() != 0) {
        timer_.once(period_, [this] { refresh(); });
    }
}

void ScheduleRefresher::refresh() {
    bool everything = false;
    {
        std::lock_guard lock(mutex_);
        everything = std::exchange(requested_, false);
    }
    bool readFresh = false;
    try {
        if (auto fresh = load_(everything)) {
            const auto diff = plan::diffPlans(current_, *fresh);
            if (!diff.added.empty() || !diff.changed.empty() || !diff.cancelled.empty()) {
                reporter_.publish(Level::Info, {},
                                  "the schedule changed: " + describeChanges(diff));
                if (changed_) {
                    changed_(*fresh);
                }
                scheduler_.applyPlan(*fresh);
            } else if (everything) {
                reporter_.publish(Level::Info, {}, "schedule re-read: no changes");
            }
            current_ = std::move(*fresh);
        } else if (everything) {
            reporter_.publish(Level::Info, {}, "schedule re-read: no changes");
        }
        const auto why = fallback_ ? fallback_() : std::nullopt;
        readFresh = !why;
        if (why) {
            reporter_.publish(Level::Warning, {},
                              "could not refresh the schedule: " + core::clause(*why));
        }
    } catch (const std::exception& e) {
        reporter_.publish(
            Level::Warning, {},
            std::string("could not refresh the schedule, keeping the last good one: ") + e.what());
    }
    {
        std::lock_guard counting(countsMutex_);
        ++counts_.refreshes;
        if (readFresh) {
            counts_.lastSuccess = clock_.now();
        } else {
            ++counts_.failures;
        }
    }
    std::lock_guard lock(mutex_);
    arm();
}

}  // namespace confcap::run
