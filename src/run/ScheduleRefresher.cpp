#include "confcap/run/ScheduleRefresher.h"

#include <exception>

#include "confcap/core/Text.h"

namespace confcap::run {

std::string describeChanges(const plan::PlanDiff& diff) {
    return std::to_string(diff.added.size()) + " added, " + std::to_string(diff.changed.size()) +
           " changed, " + std::to_string(diff.cancelled.size()) + " cancelled";
}

ScheduleRefresher::ScheduleRefresher(Scheduler& scheduler, Reporter& reporter, plan::Plan current,
                                     Loader load, std::chrono::seconds period, Changed changed,
                                     Fallback fallback)
    : scheduler_(scheduler),
      reporter_(reporter),
      current_(std::move(current)),
      load_(std::move(load)),
      period_(period),
      changed_(std::move(changed)),
      fallback_(std::move(fallback)) {
    counts_.lastSuccess = std::chrono::system_clock::now();
}

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

ScheduleRefresher::Counts ScheduleRefresher::counts() const {
    std::lock_guard lock(countsMutex_);
    return counts_;
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
                std::string("could not refresh the schedule, keeping the last good one: ") +
                    e.what());
        }
        {
            std::lock_guard counting(countsMutex_);
            ++counts_.refreshes;
            if (readFresh) {
                counts_.lastSuccess = std::chrono::system_clock::now();
            } else {
                ++counts_.failures;
            }
        }
        lock.lock();
    }
}

}  // namespace confcap::run
