// The real timer: a core::Timer on Poco::Util::Timer's thread.
#pragma once

#include <Poco/Util/Timer.h>
#include <Poco/Util/TimerTask.h>

#include <mutex>

#include "confcap/core/Timer.h"

namespace confcap::run {

/// Runs tasks on one thread of Poco::Util::Timer. Thread-safe.
class PocoTimer final : public core::Timer {
public:
    PocoTimer() = default;
    /// cancel().
    ~PocoTimer() override;
    PocoTimer(const PocoTimer&) = delete;
    PocoTimer& operator=(const PocoTimer&) = delete;

    void every(std::chrono::milliseconds period, Task task) override;
    void once(std::chrono::milliseconds delay, Task task) override;
    void cancel() override;

private:
    std::mutex mutex_;
    Poco::Util::Timer timer_;
    Poco::Util::TimerTask::Ptr repeating_;
    Poco::Util::TimerTask::Ptr oneTime_;
    bool cancelled_ = false;
};

}  // namespace confcap::run
