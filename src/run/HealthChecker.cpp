#include "confcap/run/HealthChecker.h"

#include <Poco/JSON/Object.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>

#include "confcap/core/FileIo.h"
#include "confcap/core/Format.h"
#include "confcap/health/AnalysisCommand.h"
#include "confcap/health/FfmpegReport.h"
#include "confcap/health/HealthFlags.h"
#include "confcap/sink/Sidecar.h"
#include "confcap/source/RecorderProcess.h"

namespace confcap::run {

namespace {

/// What ffmpeg prints is kept up to this size; an analysis prints a few kilobytes.
constexpr std::size_t kOutputLimit = 16u << 20;

std::string lastLine(const std::string& text) {
    auto end = text.find_last_not_of("\r\n ");
    if (end == std::string::npos) {
        return {};
    }
    const auto start = text.find_last_of("\r\n", end);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

core::Instant nowSeconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string joined(const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& part : parts) {
        text += (text.empty() ? "" : "; ") + part;
    }
    return text;
}

}  // namespace

HealthChecker::HealthChecker(Options options, Reporter& reporter)
    : options_(std::move(options)), reporter_(reporter) {
    if (options_.ffmpeg.empty()) {
        reporter_.publish(Level::Info, {},
                          "ffmpeg is not on PATH: the talks' content health (silence, black or "
                          "frozen picture) is not checked and no thumbnails are drawn");
        return;
    }
    const int jobs = options_.jobs > 0
                         ? options_.jobs
                         : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    for (int i = 0; i < jobs; ++i) {
        workers_.emplace_back([this] { work(); });
    }
    if (options_.recordingJobs) {
        watcher_ = std::thread([this] { watchLive(); });
    }
}

HealthChecker::~HealthChecker() {
    stop();
}

std::filesystem::path HealthChecker::ffmpegOnPath() {
    return core::findOnPath("ffmpeg");
}

void HealthChecker::submit(const std::string& key, const Mark& mark,
                           const sink::FinalizeResult& result) {
    if (workers_.empty() || result.outcome != core::Outcome::Recorded || result.files.empty() ||
        result.sidecar.empty()) {
        return;
    }
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return;
        }
        queue_.push_back(
            {key, mark, result.files.front(), result.sidecar, result.relativeStem, false});
        finishedQueued_.insert(key);
    }
    changed_.notify_all();
}

bool HealthChecker::busyWith(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return finishedQueued_.count(key) > 0;
}

bool HealthChecker::waitIdle(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, wait, [this] { return queue_.empty() && running_ == 0; });
}

void HealthChecker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        queue_.clear();
        finishedQueued_.clear();
    }
    changed_.notify_all();
    for (auto& worker : workers_) {
        if (worker.joinable()) {
            worker.join();
        }
    }
    if (watcher_.joinable()) {
        watcher_.join();
    }
}

void HealthChecker::work() {
    for (;;) {
        Task task;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) {
                return;
            }
            task = std::move(queue_.front());
            queue_.pop_front();
            ++running_;
        }
        try {
            runTask(task);
        } catch (const std::exception& e) {
            reporter_.publish(Level::Warning, task.mark,
                              std::string("content health check failed: ") + e.what());
        }
        {
            std::lock_guard lock(mutex_);
            --running_;
            if (task.live) {
                liveQueued_.erase(task.key);
            } else if (const auto it = finishedQueued_.find(task.key);
                       it != finishedQueued_.end()) {
                finishedQueued_.erase(it);
            }
        }
        changed_.notify_all();
    }
}

void HealthChecker::watchLive() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        changed_.wait_for(lock, options_.liveEvery, [this] { return stopping_; });
        if (stopping_) {
            return;
        }
        lock.unlock();
        const auto jobs = options_.recordingJobs();
        lock.lock();
        bool queued = false;
        for (const auto& job : jobs) {
            if ((job.state != JobState::Recording && job.state != JobState::Retrying) ||
                job.file.empty() || liveQueued_.count(job.key) > 0) {
                continue;
            }
            liveQueued_.insert(job.key);
            // A live check is short and says what someone at the venue can still fix: first.
            queue_.push_front({job.key, job.mark, options_.outDir / job.file, {}, {}, true});
            queued = true;
        }
        if (queued) {
            changed_.notify_all();
        }
    }
}

void HealthChecker::runTask(const Task& task) {
    if (task.live) {
        checkLive(task);
    } else {
        checkFinished(task);
    }
}

std::optional<std::pair<int, std::string>> HealthChecker::runFfmpeg(
    const std::vector<std::string>& arguments) {
    std::vector<std::string> command = {"nice", "-n", "19", options_.ffmpeg.string()};
    command.insert(command.end(), arguments.begin(), arguments.end());
    source::RecorderProcess process(command, "ffmpeg", {});
    std::string output;
    const auto drain = [&](int waitMs) {
        pollfd ready{process.outputFd(), POLLIN, 0};
        ::poll(&ready, 1, waitMs);
        char buffer[8192];
        for (;;) {
            const auto n = ::read(process.outputFd(), buffer, sizeof buffer);
            if (n <= 0) {
                break;
            }
            if (output.size() < kOutputLimit) {
                output.append(buffer, static_cast<std::size_t>(n));
            }
        }
    };
    while (!process.exited()) {
        drain(200);
        std::lock_guard lock(mutex_);
        if (stopping_) {
            process.terminate(options_.killGrace, [&] { drain(20); });
            return std::nullopt;
        }
    }
    const int status = process.reap();
    drain(0);
    return std::make_pair(status, std::move(output));
}

std::pair<std::string, std::string> HealthChecker::drawThumbnails(const Task& task,
                                                                  double duration) {
    const auto paths = health::thumbnailPaths(options_.outDir, task.relativeStem);
    std::error_code error;
    std::filesystem::create_directories(paths.middle.parent_path(), error);
    const auto draw = [&](const std::filesystem::path& target, bool strip) {
        // Drawn under a hidden name and renamed, so a thumbnail is whole or absent. ffmpeg writes
        // the file itself, so there are no bytes to hand to core::replaceFile.
        const auto temporary = target.parent_path() / ("." + target.filename().string() + ".part");
        const auto arguments = strip ? health::stripArguments(task.file, duration, temporary)
                                     : health::middleFrameArguments(task.file, duration, temporary);
        const auto ran = runFfmpeg(arguments);
        std::error_code ignored;
        if (ran && ran->first == 0 && std::filesystem::file_size(temporary, ignored) > 0) {
            std::filesystem::rename(temporary, target, ignored);
            return !ignored;
        }
        std::filesystem::remove(temporary, ignored);
        if (ran) {
            reporter_.publish(Level::Warning, task.mark,
                              "could not draw the thumbnail " + target.filename().string() + ": " +
                                  (ran->first == 0 ? std::string("ffmpeg found no picture there")
                                                   : "ffmpeg " + source::exitText(ran->first) +
                                                         " (" + lastLine(ran->second) + ")"));
        }
        return false;
    };
    if (!draw(paths.middle, false) || !draw(paths.strip, true)) {
        return {};
    }
    return {paths.middleRelative, paths.stripRelative};
}

void HealthChecker::checkFinished(const Task& task) {
    const auto probed = runFfmpeg(health::probeArguments(task.file));
    if (!probed) {
        return;
    }
    const auto probe = health::parseProbe(probed->second);
    if (!probe.hasVideo && !probe.hasAudio) {
        reporter_.publish(Level::Info, task.mark,
                          "content health not checked: ffmpeg finds neither video nor audio in " +
                              task.file.filename().string());
        return;
    }
    const auto analysed =
        runFfmpeg(health::analysisArguments(task.file, probe, options_.thresholds));
    if (!analysed) {
        return;
    }
    if (analysed->first != 0) {
        reporter_.publish(Level::Warning, task.mark,
                          "content health check failed: ffmpeg " +
                              source::exitText(analysed->first) + " (" +
                              lastLine(analysed->second) + ")");
        return;
    }
    const auto content = health::parseAnalysis(analysed->second);
    std::pair<std::string, std::string> thumbnails;
    if (probe.hasVideo) {
        thumbnails = drawThumbnails(task, probe.durationSeconds.value_or(content.analysedSeconds));
    }
    const auto fileStart =
        sink::sidecarFirstData(task.sidecar)
            .value_or(nowSeconds() - core::Seconds(std::lround(content.analysedSeconds)));
    TalkHealth found;
    found.content = content;
    found.flags = health::flagsFor(content, fileStart, options_.zone);
    found.middleThumbnail = thumbnails.first;
    found.stripThumbnail = thumbnails.second;
    {
        std::lock_guard lock(mutex_);
        health_[task.key] = found;
    }
    reporter_.health(task.key, found);
    std::vector<std::pair<std::string, Poco::Dynamic::Var>> fields = {
        {"health", health::toJson(content)}};
    if (!thumbnails.first.empty()) {
        Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        object->set("middle", thumbnails.first);
        object->set("strip", thumbnails.second);
        fields.emplace_back("thumbnails", object);
    }
    try {
        sink::amendSidecar(task.sidecar, fields);
    } catch (const std::exception& e) {
        reporter_.publish(Level::Warning, task.mark, e.what());
    }
    std::string loudness;
    if (content.loudnessLufs) {
        char text[32];
        std::snprintf(text, sizeof text, "%.1f LUFS", *content.loudnessLufs);
        loudness = std::string("; loudness ") + text;
    }
    reporter_.publish(found.flags.empty() ? Level::Info : Level::Warning, task.mark,
                      "content health: " +
                          (found.flags.empty() ? std::string("no silence, black or frozen picture")
                                               : joined(found.flags)) +
                          loudness + " (" + core::formatSeconds(content.analysedSeconds) +
                          " checked)");
}

void HealthChecker::checkLive(const Task& task) {
    const auto probed = runFfmpeg(health::probeArguments(task.file));
    if (!probed) {
        return;
    }
    const auto probe = health::parseProbe(probed->second);
    if (!probe.hasVideo && !probe.hasAudio) {
        return;  // not enough of the file yet
    }
    const auto analysed = runFfmpeg(
        health::analysisArguments(task.file, probe, options_.thresholds, options_.liveWindow));
    if (!analysed || analysed->first != 0) {
        return;  // the next minute tries again
    }
    const auto content = health::parseAnalysis(analysed->second);
    TalkHealth found;
    std::vector<std::string> before;
    {
        std::lock_guard lock(mutex_);
        found = health_[task.key];
        before = found.liveFlags;
        found.live = health::liveHealthOf(content, nowSeconds(), found.live);
        found.liveFlags = health::liveFlagsFor(found.live, options_.zone);
        health_[task.key] = found;
    }
    reporter_.health(task.key, found);
    // Said when it begins or changes, not every minute.
    if (!found.liveFlags.empty() && found.liveFlags != before) {
        reporter_.publish(Level::Warning, task.mark, "while recording: " + joined(found.liveFlags));
    }
}

}  // namespace confcap::run
