// The clock interface: pure logic reads time through it so tests can drive it with a fake clock.
#pragma once

#include <chrono>

namespace confcap::core {

/// Wall-clock time source. Implementations are thread-safe.
class Clock {
public:
    using TimePoint = std::chrono::system_clock::time_point;
    virtual ~Clock() = default;
    /// The current UTC wall-clock time.
    virtual TimePoint now() const = 0;
};

/// The real system clock.
class SystemClock final : public Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

/// The wall clock as it read at construction, moved on by the steady clock: a step of the system
/// clock (NTP, a change by hand) does not move it, so a length of time stays that length.
class SteadyWallClock final : public Clock {
public:
    TimePoint now() const override {
        return start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            std::chrono::steady_clock::now() - steadyStart_);
    }

private:
    TimePoint start_ = std::chrono::system_clock::now();
    std::chrono::steady_clock::time_point steadyStart_ = std::chrono::steady_clock::now();
};

}  // namespace confcap::core
