// How the long-running commands (record, capture) take Ctrl-C, SIGTERM and SIGHUP: on a thread of
// their own, so that the rest of the program sees a stop request as a flag, never as an interrupt.
#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <mutex>
#include <thread>

namespace confcap::app {

/// Waits for SIGINT, SIGTERM and SIGHUP on a thread of its own (they are blocked in every other
/// thread). The first SIGINT/SIGTERM asks for a clean stop; a second SIGINT ends the process at
/// once with kExitInterrupted, leaving .part files for the next start. Also ignores SIGXFSZ, so
/// that a file size limit fails the write (EFBIG) instead of killing the process.
class SignalWatcher {
public:
    /// Blocks the signals in the calling thread, and so in every thread it starts later: make
    /// the watcher before any other thread.
    SignalWatcher();
    /// Stops the watching thread and unblocks the signals.
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    /// True once the first SIGINT or SIGTERM arrived. Thread-safe.
    bool stopRequested() const { return stopRequested_; }
    /// Called on the watcher's thread after each SIGHUP. Replaces the callback given before, and
    /// returns only when a call of that one has ended: onReload({}) before what it calls goes
    /// away. Thread-safe.
    void onReload(std::function<void()> callback);
    /// Called once, on the watcher's thread, after the first SIGINT or SIGTERM; at once when
    /// that has already arrived. Replaces the callback given before, and returns only when a
    /// call of that one has ended: onStop({}) before what it calls goes away. Thread-safe.
    void onStop(std::function<void()> callback);

private:
    void run();

    sigset_t set_{};
    std::thread thread_;
    std::atomic<bool> done_{false};
    std::atomic<bool> stopRequested_{false};
    std::function<void()> onReload_;
    std::function<void()> onStop_;
    std::mutex mutex_;
    std::mutex callMutex_;  ///< held while a callback runs or is replaced
};

}  // namespace confcap::app
