// Runs the `--on-recorded` hook once per finished talk, beside the recording: on threads of its
// own, at most a few at once, each bounded by a timeout. What a hook prints goes to the log
// marked with its talk; how it ended goes to the talk's sidecar, the journal and the summary. A
// hook never deletes or moves anything of confcap's, whatever it does.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "confcap/run/Hook.h"
#include "confcap/run/Journal.h"
#include "confcap/run/Report.h"
#include "confcap/sink/Recording.h"

namespace confcap::run {

class HookRunner {
public:
    struct Options {
        HookTemplate command;
        /// How many hooks run at once; a further one waits for a free slot.
        int jobs = 2;
        /// A hook running longer is stopped (SIGTERM to its process group, SIGKILL after
        /// `killGrace`) and counts as timed out.
        std::chrono::milliseconds timeout{std::chrono::hours(1)};
        /// How long a running hook may go on after stop() before it is stopped the same way.
        std::chrono::milliseconds stopGrace{std::chrono::seconds(5)};
        /// Between SIGTERM and SIGKILL to a hook's process group.
        std::chrono::milliseconds killGrace{std::chrono::seconds(2)};
        /// Where pending hooks are kept across restarts; none when null. Must outlive the
        /// runner.
        Journal* journal = nullptr;
    };

    /// Starts the worker threads. `reporter` must outlive the runner.
    HookRunner(Options options, Reporter& reporter);
    /// stop().
    ~HookRunner();
    HookRunner(const HookRunner&) = delete;
    HookRunner& operator=(const HookRunner&) = delete;

    /// Queues the hook of the finalized talk with job key `key` and returns at once: it is
    /// recorded as pending (journal, sidecar) before this returns. After stop() it is only
    /// recorded, for the next run. Thread-safe.
    void submit(const std::string& key, const Mark& mark, const sink::FinalizeResult& result);
    /// The same with the values given.
    void submit(const std::string& key, const Mark& mark, const HookValues& values);
    /// Queues the hooks the journal keeps as pending or interrupted (an earlier run ended before
    /// they finished), with the current command. Returns how many. Thread-safe.
    std::size_t resumePending();

    /// Blocks until no hook runs or waits, or `wait` has passed; true when none does.
    /// Thread-safe.
    bool waitIdle(std::chrono::milliseconds wait);
    /// Whether the hook of the talk with job key `key` waits or runs. Thread-safe.
    bool busyWith(const std::string& key) const;
    /// Takes no more hooks; running ones may go on for Options::stopGrace, then are stopped and
    /// marked interrupted; queued ones stay pending for the next run. Blocks until every worker
    /// has ended. Thread-safe; idempotent.
    void stop();

    /// Hooks of this run by how they ended. Thread-safe.
    HookCounts counts() const;
    /// The hooks of this run that ended, by talk key, and those still pending. Thread-safe.
    std::vector<HookRecord> records() const;

private:
    void work();
    void runOne(HookRecord& hook);
    // Writes the hook's state to the journal and the talk's sidecar; warns on failure.
    void persist(const HookRecord& hook);

    Options options_;
    Reporter& reporter_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<HookRecord> queue_;
    std::map<std::string, HookRecord> records_;
    HookCounts counts_;
    int running_ = 0;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point stopDeadline_;
    std::vector<std::thread> workers_;
};

/// Sets the "onRecorded" object of the sidecar at `sidecar` to the hook's command, state, exit,
/// seconds and finished time, keeping the rest as it is (sink::amendSidecar). Throws
/// core::OutputError naming the file when it cannot be read or written.
void writeHookToSidecar(const std::filesystem::path& sidecar, const HookRecord& hook);

}  // namespace confcap::run
