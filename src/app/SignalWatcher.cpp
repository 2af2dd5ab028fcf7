#include "confcap/app/SignalWatcher.h"

#include <pthread.h>
#include <unistd.h>

#include <ctime>
#include <utility>

#include "confcap/app/ExitCode.h"

namespace confcap::app {

SignalWatcher::SignalWatcher() {
    std::signal(SIGXFSZ, SIG_IGN);
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] { run(); });
}

SignalWatcher::~SignalWatcher() {
    done_ = true;
    thread_.join();
    pthread_sigmask(SIG_UNBLOCK, &set_, nullptr);
}

void SignalWatcher::onReload(std::function<void()> callback) {
    std::lock_guard calling(callMutex_);
    std::lock_guard lock(mutex_);
    onReload_ = std::move(callback);
}

void SignalWatcher::onStop(std::function<void()> callback) {
    std::lock_guard calling(callMutex_);
    {
        std::lock_guard lock(mutex_);
        if (!stopRequested_) {
            onStop_ = std::move(callback);
            return;
        }
    }
    if (callback) {
        callback();
    }
}

void SignalWatcher::run() {
    const timespec timeout{0, 200'000'000};
    while (!done_) {
        const int sig = sigtimedwait(&set_, nullptr, &timeout);
        if (sig == SIGHUP) {
            // Held while it runs: onReload() waits for it, so what it calls may go away after.
            std::lock_guard calling(callMutex_);
            std::function<void()> callback;
            {
                std::lock_guard lock(mutex_);
                callback = onReload_;
            }
            if (callback) {
                callback();
            }
        } else if (sig == SIGINT || sig == SIGTERM) {
            if (stopRequested_ && sig == SIGINT) {
                static const char kMessage[] =
                    "confcap: stopped at once; .part files remain for the next start.\n";
                [[maybe_unused]] auto n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
                _exit(kExitInterrupted);
            }
            std::lock_guard calling(callMutex_);
            std::function<void()> callback;
            {
                std::lock_guard lock(mutex_);
                stopRequested_ = true;
                callback = std::exchange(onStop_, nullptr);
            }
            if (callback) {
                callback();
            }
        }
    }
}

}  // namespace confcap::app
