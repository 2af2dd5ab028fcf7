#include "confcap/run/Session.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "confcap/run/TapeReplay.h"
#include "confcap/sink/PieceMerger.h"
#include "confcap/sink/Recovery.h"
#include "confcap/sink/RoomTape.h"

namespace confcap::run {

SessionEnd sessionEndOf(const std::vector<JobSnapshot>& jobs) {
    SessionEnd end;
    for (const auto& job : jobs) {
        if (!job.writeError.empty()) {
            ++end.writeFailures;
            end.writeError = job.writeError;
        }
        const auto outcome = outcomeOf(job.state);
        end.failed += outcome == core::Outcome::Failed ? 1 : 0;
        end.discarded += outcome == core::Outcome::Discarded ? 1 : 0;
    }
    return end;
}

Session::Session(Options options, const core::Clock& clock, Reporter& reporter)
    : options_(std::move(options)),
      clock_(clock),
      reporter_(reporter),
      recorder_(recorderOptions(),
                [this](const capture::CaptureEvent& event, const std::vector<std::string>& keys) {
                    if (options_.onCaptureEvent) {
                        options_.onCaptureEvent(event, keys);
                    }
                    scheduler_.captureEvent(event, keys);
                }),
      journal_(options_.journal ? std::make_unique<Journal>(options_.recorder.outDir / ".confcap" /
                                                            "journal.json")
                                : nullptr),
      hooks_(makeHooks()),
      health_(makeHealthChecker()),
      diskGuard_(makeDiskGuard()),
      scheduler_(clock_, timer_, recorder_, reporter_, options_.marker, schedulerOptions()) {}

Session::~Session() {
    finish("confcap stopped");
}

CaptureRecorder::Options Session::recorderOptions() const {
    auto options = options_.recorder;
    options.clock = &clock_;
    // A tape stops before it takes the space --min-free keeps for the talks.
    options.tapeKeepFree = [this] { return diskGuard_ ? diskGuard_->reserve() : 0; };
    return options;
}

std::unique_ptr<HookRunner> Session::makeHooks() {
    if (!options_.hooks) {
        return nullptr;
    }
    auto options = *options_.hooks;
    options.journal = journal_.get();
    auto hooks = std::make_unique<HookRunner>(std::move(options), reporter_);
    // Talks an earlier run finished whose hook did not finish get it now.
    hooks->resumePending();
    return hooks;
}

std::unique_ptr<HealthChecker> Session::makeHealthChecker() {
    if (!options_.health) {
        return nullptr;
    }
    HealthChecker::Options options;
    options.thresholds = *options_.health;
    options.ffmpeg = HealthChecker::ffmpegOnPath();
    options.outDir = options_.recorder.outDir;
    options.zone = options_.zone;
    options.recordingJobs = options_.jobs;
    return std::make_unique<HealthChecker>(options, reporter_);
}

std::unique_ptr<DiskGuard> Session::makeDiskGuard() {
    if (!options_.minFree) {
        return nullptr;
    }
    DiskGuard::Options options;
    options.minFree = *options_.minFree;
    options.folder = options_.recorder.outDir.string();
    options.clockText = options_.clockText;
    if (options_.recorder.keepTape.count() > 0) {
        const auto tapes = tapesFolder(options_.recorder.outDir);
        options.makeRoom = [tapes](std::uint64_t bytes) {
            return sink::freeTapeSpace(tapes, bytes, std::chrono::system_clock::now(),
                                       std::chrono::minutes(1));
        };
    }
    return std::make_unique<DiskGuard>(freeSpaceOf(options_.recorder.outDir), reporter_, options);
}

Scheduler::Options Session::schedulerOptions() {
    Scheduler::Options options;
    options.tick = options_.tick;
    options.keepOpenOnStop = options_.keepOpenOnStop;
    options.journal = journal_.get();
    options.clockText = options_.clockText;
    options.diskGuard = diskGuard_.get();
    // Each finished talk's hook and content check run on threads of their own, never on the
    // scheduler's or a capture's.
    if (hooks_ || health_) {
        options.onFinalized = [this](const std::string& key, const Mark& mark,
                                     const sink::FinalizeResult& result) {
            published(key, mark, result);
        };
    }
    return options;
}

void Session::start(const plan::Plan& plan) {
    if (options_.finishLeftovers) {
        finishLeftovers(plan);
    }
    scheduler_.applyPlan(plan);
    scheduler_.start();
    if (options_.refresh) {
        refresher_ = std::make_unique<ScheduleRefresher>(
            clock_, refreshTimer_, scheduler_, reporter_, plan, options_.refresh,
            options_.refreshPeriod, options_.planChanged, options_.refreshFallback);
        refresher_->start();
    }
}

void Session::finishLeftovers(const plan::Plan& plan) {
    const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
    std::set<std::string> open;
    std::map<std::string, const plan::Job*> byStem;
    for (const auto& job : plan.jobs) {
        byStem[job.fileStem.generic_string()] = &job;
        if (job.from <= now && now < job.until) {
            open.insert(job.fileStem.generic_string());
        }
    }
    const auto results = sink::recoverLeftovers(
        options_.recorder.outDir, sink::PieceMerger(),
        [&open](const std::filesystem::path& stem) {
            return open.count(stem.generic_string()) > 0;
        },
        options_.recorder.container, options_.recorder.nfo);
    for (const auto& result : results) {
        const auto job = byStem.find(result.relativeStem.generic_string());
        scheduler_.finishedEarlier(job != byStem.end() ? job->second : nullptr, result);
    }
}

void Session::refreshNow() {
    if (refresher_) {
        refresher_->refreshNow();
    }
}

void Session::interrupt() {
    {
        std::lock_guard lock(mutex_);
        interrupted_ = true;
    }
    wake_.notify_all();
}

bool Session::waitForEnd(bool untilDone, std::chrono::milliseconds poll,
                         std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    while (!interrupted_ && !(untilDone && scheduler_.done())) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            return false;
        }
        wake_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(poll, deadline - now));
    }
    return true;
}

void Session::finish(const std::string& reason) {
    if (finished_) {
        return;
    }
    finished_ = true;
    if (refresher_) {
        refresher_->stop();
    }
    scheduler_.stop(reason);
    // No talk comes any more: the bridges end now, not while the hooks and checks finish.
    recorder_.endBridges();
    finishHooks();
    finishHealthChecks();
}

void Session::finishHooks() {
    if (!hooks_) {
        return;
    }
    // A normal end waits for the hooks (each bounded by --hook-timeout); a stop gives the
    // running ones a moment, and what is left runs on the next start.
    if (!interrupted_ && !hooks_->waitIdle(std::chrono::milliseconds(0))) {
        reporter_.publish(Level::Info, {},
                          "waiting for the --on-recorded hooks to finish (Ctrl-C to leave them "
                          "for the next run)");
        while (!hooks_->waitIdle(std::chrono::milliseconds(200)) && !interrupted_) {
        }
    }
    if (interrupted_ && !hooks_->waitIdle(std::chrono::milliseconds(0))) {
        reporter_.publish(Level::Info, {},
                          "stopping: hooks still running get a few seconds to finish; the next "
                          "run with the same --out runs the rest");
    }
    hooks_->stop();
}

void Session::finishHealthChecks() {
    if (!health_) {
        return;
    }
    // A normal end waits for the last talks' checks, so the summary has them; a stop ends them
    // at once.
    if (!interrupted_ && !health_->waitIdle(std::chrono::milliseconds(0))) {
        reporter_.publish(Level::Info, {}, "checking the last talks' content (Ctrl-C to skip)");
        while (!health_->waitIdle(std::chrono::milliseconds(200)) && !interrupted_) {
        }
    }
    health_->stop();
}

bool Session::done() const {
    return scheduler_.done();
}

void Session::published(const std::string& key, const Mark& mark,
                        const sink::FinalizeResult& result) {
    if (hooks_) {
        hooks_->submit(key, mark, result);
    }
    if (health_) {
        health_->submit(key, mark, result);
    }
}

bool Session::busyWith(const std::string& key) const {
    return (hooks_ && hooks_->busyWith(key)) || (health_ && health_->busyWith(key));
}

std::optional<sink::FinalizeResult> Session::result(const std::string& key) const {
    return scheduler_.result(key);
}

void Session::announce(const std::string& room, double bitsPerSecond) {
    if (diskGuard_) {
        diskGuard_->announce(room, bitsPerSecond);
    }
}

std::optional<ScheduleRefresher::Counts> Session::refreshes() const {
    if (!refresher_) {
        return std::nullopt;
    }
    return refresher_->counts();
}

std::optional<HookCounts> Session::hookCounts() const {
    if (!hooks_) {
        return std::nullopt;
    }
    return hooks_->counts();
}

std::vector<HookRecord> Session::hookRecords() const {
    return hooks_ ? hooks_->records() : std::vector<HookRecord>{};
}

}  // namespace confcap::run
