#include "confcap/run/ScheduleRefresher.h"

#include <exception>

namespace confcap::run {

std::string describeChanges(const plan::PlanDiff& diff) {
    return std::to_string(diff.added.size()) + " added, " + std::to_string(diff.changed.size()) +
           " changed, " + std::to_string(diff.cancelled.size()) + " cancelled";
}

ScheduleRefresher::ScheduleRefresher(Scheduler& scheduler, Reporter& reporter, plan::Plan current,
                                     Loader load, std::chrono::seconds period, Changed changed)
    : scheduler_(scheduler),
      reporter_(reporter),
      current_(std::move(current)),
      load_(std::move(load)),
      period_(period),
      changed_(std::move(changed)) {}

ScheduleRefresher::~ScheduleRefresher() {
    stop();
}

void ScheduleRefresher::start() {
    thread_ = std::thread(&ScheduleRefresher::loop, this);
}

void ScheduleRefresher::refreshNow() {
    {
        std::lock_guard lock(mutex_);
        requested_ = true;
    }
    wake_.notify_all();
}

void ScheduleRefresher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void ScheduleRefresher::loop() {
    // A period of 0 turns the periodic refresh off; a request still refreshes.
    const std::chrono::seconds period =
        period_.count() == 0 ? std::chrono::hours(24 * 365) : period_;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, period, [&] { return stopping_ || requested_; });
        if (stopping_) {
            break;
        }
        const bool everything = std::exchange(requested_, false);
        lock.unlock();
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
        } catch (const std::exception& e) {
            reporter_.publish(
                Level::Warning, {},
                std::string("could not refresh the schedule, keeping the last good one: ") +
                    e.what());
        }
        lock.lock();
    }
}

}  // namespace confcap::run
