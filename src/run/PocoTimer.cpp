#include "confcap/run/PocoTimer.h"

#include <Poco/Clock.h>

namespace confcap::run {

namespace {

/// A timer task that runs a std::function.
class FunctionTask final : public Poco::Util::TimerTask {
public:
    explicit FunctionTask(core::Timer::Task task) : task_(std::move(task)) {}
    void run() override { task_(); }

private:
    core::Timer::Task task_;
};

}  // namespace

PocoTimer::~PocoTimer() {
    cancel();
}

void PocoTimer::every(std::chrono::milliseconds period, Task task) {
    std::lock_guard lock(mutex_);
    if (cancelled_) {
        return;
    }
    if (!repeating_.isNull()) {
        repeating_->cancel();
    }
    repeating_ = new FunctionTask(std::move(task));
    timer_.scheduleAtFixedRate(repeating_, period.count(), period.count());
}

void PocoTimer::once(std::chrono::milliseconds delay, Task task) {
    std::lock_guard lock(mutex_);
    if (cancelled_) {
        return;
    }
    if (!oneTime_.isNull()) {
        oneTime_->cancel();
    }
    oneTime_ = new FunctionTask(std::move(task));
    // Poco's clock is monotonic: the delay holds whatever the wall clock does meanwhile.
    Poco::Clock at;
    at += std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
    timer_.schedule(oneTime_, at);
}

void PocoTimer::cancel() {
    {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
    }
    timer_.cancel(true);
}

}  // namespace confcap::run
