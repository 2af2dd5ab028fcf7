// Looks into the recordings beside the run: each finished talk's file is measured (silence,
// black and frozen picture, loudness) and gets its thumbnails, and every minute the last minute
// of each growing file is measured, on threads of its own at the lowest priority, never on the
// scheduler's or a capture's thread. What it finds goes to the reporter and the talk's sidecar.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <date/tz.h>

#include "confcap/health/ContentHealth.h"
#include "confcap/run/Report.h"
#include "confcap/sink/Recording.h"

namespace confcap::run {

class HealthChecker {
public:
    struct Options {
        health::Thresholds thresholds;
        /// The ffmpeg to run; empty: nothing is checked (one log line says so).
        std::filesystem::path ffmpeg;
        /// The output folder: the thumbnails go to its .confcap/thumbs, and the growing files
        /// of recordingJobs() are relative to it.
        std::filesystem::path outDir;
        /// How many analyses run at once; 0: one per core.
        int jobs = 0;
        /// The zone of the flags' clock times; UTC when null.
        const date::time_zone* zone = nullptr;
        /// The jobs now; those recording have the last minute of their file measured every
        /// `liveEvery`. None when empty.
        std::function<std::vector<JobSnapshot>()> recordingJobs;
        std::chrono::milliseconds liveEvery{std::chrono::minutes(1)};
        core::Seconds liveWindow{60};
        /// Between SIGTERM and SIGKILL to an analysis that stop() ends.
        std::chrono::milliseconds killGrace{std::chrono::milliseconds(500)};
    };

    /// Starts the worker threads (none without ffmpeg). `reporter` must outlive the checker.
    HealthChecker(Options options, Reporter& reporter);
    /// stop().
    ~HealthChecker();
    HealthChecker(const HealthChecker&) = delete;
    HealthChecker& operator=(const HealthChecker&) = delete;

    /// The ffmpeg on PATH, or empty when there is none.
    static std::filesystem::path ffmpegOnPath();

    /// Queues the finalized talk with job key `key` for its analysis and thumbnails and returns
    /// at once; a talk without a published file (or with a sidecar missing) is left out.
    /// Thread-safe.
    void submit(const std::string& key, const Mark& mark, const sink::FinalizeResult& result);
    /// Blocks until nothing runs or waits, or `wait` has passed; true when nothing does.
    /// Thread-safe.
    bool waitIdle(std::chrono::milliseconds wait);
    /// Whether the finished talk with job key `key` waits for its analysis or is analysed.
    /// Thread-safe.
    bool busyWith(const std::string& key) const;
    /// Takes no more work; what runs is ended at once (SIGTERM, then SIGKILL after killGrace) and
    /// what waits is dropped. Blocks until every thread has ended. Thread-safe; idempotent.
    void stop();

private:
    struct Task {
        std::string key;
        Mark mark;
        std::filesystem::path file;
        std::filesystem::path sidecar;       ///< empty for a live check
        std::filesystem::path relativeStem;  ///< for the thumbnails' names
        bool live = false;
    };

    void work();
    void watchLive();
    void runTask(const Task& task);
    void checkFinished(const Task& task);
    void checkLive(const Task& task);
    // Runs the ffmpeg with `arguments` at the lowest priority and returns its exit status and
    // what it printed; none when stop() ended it.
    std::optional<std::pair<int, std::string>> runFfmpeg(const std::vector<std::string>& arguments);
    // Draws a talk's thumbnails; returns their paths relative to the output folder (empty when
    // they could not be drawn).
    std::pair<std::string, std::string> drawThumbnails(const Task& task, double duration);

    Options options_;
    Reporter& reporter_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Task> queue_;
    std::set<std::string> liveQueued_;           ///< keys with a live check waiting or running
    std::multiset<std::string> finishedQueued_;  ///< keys of finished talks waiting or analysed
    std::map<std::string, TalkHealth> health_;
    int running_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
    std::thread watcher_;
};

}  // namespace confcap::run
