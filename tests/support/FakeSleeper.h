// A sleeper for tests: a wait passes at once and moves the fake clock on by its length.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

#include "confcap/core/Sleeper.h"
#include "support/FakeClock.h"

namespace confcap::testing {

/// Lets every wait pass at once on `clock` (unless done() holds already). Thread-safe.
class FakeSleeper final : public core::Sleeper {
public:
    explicit FakeSleeper(FakeClock& clock) : clock_(clock) {}
    bool waitFor(std::unique_lock<std::mutex>& /*lock*/, std::condition_variable& /*wake*/,
                 std::chrono::milliseconds wait, const std::function<bool()>& done) override {
        if (done()) {
            return true;
        }
        clock_.advance(wait);
        {
            std::lock_guard lock(mutex_);
            waits_.push_back(wait);
        }
        return done();
    }
    /// The waits that passed, in order.
    std::vector<std::chrono::milliseconds> waits() const {
        std::lock_guard lock(mutex_);
        return waits_;
    }

private:
    FakeClock& clock_;
    mutable std::mutex mutex_;
    std::vector<std::chrono::milliseconds> waits_;
};

}  // namespace confcap::testing
