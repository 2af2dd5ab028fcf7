// The waiting interface: a thread that waits a length of time (a retry's backoff) waits through
// it, so tests can let the time pass at once on a fake clock instead of waiting on the real one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace confcap::core {

/// Waits on a condition variable for a length of time. Implementations are thread-safe.
class Sleeper {
public:
    virtual ~Sleeper() = default;
    /// Waits at most `wait` on `wake`, with `lock` held but while waiting, until `done()` holds;
    /// returns done(). std::condition_variable::wait_for with a predicate.
    virtual bool waitFor(std::unique_lock<std::mutex>& lock, std::condition_variable& wake,
                         std::chrono::milliseconds wait, const std::function<bool()>& done) = 0;
};

/// Waits in real time.
class SystemSleeper final : public Sleeper {
public:
    bool waitFor(std::unique_lock<std::mutex>& lock, std::condition_variable& wake,
                 std::chrono::milliseconds wait, const std::function<bool()>& done) override {
        return wake.wait_for(lock, wait, done);
    }
};

}  // namespace confcap::core
