// A clock for tests: it stands still until the test moves it.
#pragma once

#include <chrono>
#include <mutex>

#include "confcap/core/Clock.h"

namespace confcap::testing {

/// A clock that moves only when told to; for tests. Thread-safe.
class FakeClock final : public core::Clock {
public:
    explicit FakeClock(TimePoint start) : now_(start) {}
    TimePoint now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void set(TimePoint t) {
        std::lock_guard lock(mutex_);
        now_ = t;
    }
    void advance(std::chrono::system_clock::duration d) {
        std::lock_guard lock(mutex_);
        now_ += d;
    }

private:
    mutable std::mutex mutex_;
    TimePoint now_;
};

}  // namespace confcap::testing
