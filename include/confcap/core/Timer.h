// The timer interface: what runs later runs through it, so tests can drive timed logic by hand
// instead of waiting on the real one.
#pragma once

#include <chrono>
#include <functional>

namespace confcap::core {

/// Runs tasks later on a thread of its own. Implementations are thread-safe.
class Timer {
public:
    using Task = std::function<void()>;
    virtual ~Timer() = default;
    /// Runs `task` every `period`, the first time one period from now, until cancel(); replaces
    /// a repeating task set before.
    virtual void every(std::chrono::milliseconds period, Task task) = 0;
    /// Runs `task` once after `delay`; replaces a one-time task set before that has not run yet.
    virtual void once(std::chrono::milliseconds delay, Task task) = 0;
    /// Cancels every task and waits for one that is running. Idempotent. Must not be called from
    /// a task.
    virtual void cancel() = 0;
};

}  // namespace confcap::core
