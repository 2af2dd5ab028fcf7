// A timer for tests: it runs nothing by itself, the test looks at what is set and runs it.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <utility>

#include "confcap/core/Timer.h"

namespace confcap::testing {

/// A timer that runs nothing by itself: a test looks at what is set and runs it. Thread-safe.
class ManualTimer final : public core::Timer {
public:
    void every(std::chrono::milliseconds period, Task task) override {
        std::lock_guard lock(mutex_);
        repeating_ = std::make_pair(period, std::move(task));
    }
    void once(std::chrono::milliseconds delay, Task task) override {
        std::lock_guard lock(mutex_);
        oneTime_ = std::make_pair(delay, std::move(task));
    }
    void cancel() override {
        std::lock_guard lock(mutex_);
        repeating_.reset();
        oneTime_.reset();
        cancelled_ = true;
    }

    /// The delay of the one-time task set, if one is.
    std::optional<std::chrono::milliseconds> pendingDelay() const {
        std::lock_guard lock(mutex_);
        return oneTime_ ? std::optional(oneTime_->first) : std::nullopt;
    }
    /// Runs the one-time task (it is then gone); false when none is set.
    bool fireOnce() {
        Task task;
        {
            std::lock_guard lock(mutex_);
            if (!oneTime_) {
                return false;
            }
            task = std::move(oneTime_->second);
            oneTime_.reset();
        }
        task();
        return true;
    }
    /// Runs the repeating task once; false when none is set.
    bool fireRepeating() {
        Task task;
        {
            std::lock_guard lock(mutex_);
            if (!repeating_) {
                return false;
            }
            task = repeating_->second;
        }
        task();
        return true;
    }
    bool cancelled() const {
        std::lock_guard lock(mutex_);
        return cancelled_;
    }

private:
    mutable std::mutex mutex_;
    std::optional<std::pair<std::chrono::milliseconds, Task>> repeating_;
    std::optional<std::pair<std::chrono::milliseconds, Task>> oneTime_;
    bool cancelled_ = false;
};

}  // namespace confcap::testing
