// Stand-ins for the run module's collaborators: a recorder and a reporter that only take notes,
// and jobs at noon on a fixed day, for tests that drive a Scheduler on a fake clock.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confcap/core/Error.h"
#include "confcap/core/Time.h"
#include "confcap/run/Recorder.h"
#include "confcap/run/Report.h"
#include "confcap/run/Scheduler.h"

namespace confcap::testing {

using namespace std::chrono_literals;
using confcap::run::JobState;
using confcap::run::Scheduler;

inline const confcap::core::Instant kNoon{std::chrono::sys_days{std::chrono::year{2026} / 12 / 27} +
                                          12h};

inline confcap::plan::Job job(const std::string& key, confcap::core::Instant from,
                              std::chrono::seconds length) {
    confcap::plan::Job j;
    j.talk.guid = key;
    j.talk.title = key;
    j.talk.room = "Saal 1";
    j.talk.start = from;
    j.talk.duration = length;
    j.from = from;
    j.until = from + length;
    j.stream = "http://127.0.0.1/s.m3u8";
    j.fileStem = key;
    return j;
}

inline std::chrono::system_clock::time_point at(confcap::core::Instant t) {
    return std::chrono::system_clock::time_point(t.time_since_epoch());
}

/// Takes notes of what it is asked to do. Thread-safe.
class NotingRecorder final : public confcap::run::Recorder {
public:
    void start(const confcap::plan::Job& job,
               const std::optional<confcap::core::Gap>& waited) override {
        if (job.talk.title == "broken") {
            throw confcap::core::OutputError("Cannot write to the output folder.");
        }
        note("start " + job.talk.key() +
             (waited ? " after a '" + waited->cause + "' gap of " +
                           std::to_string(waited->length.count() / 1000) + " s"
                     : std::string()));
    }
    void retarget(const confcap::plan::Job& job) override {
        note("retarget " + job.talk.key() + " until " + confcap::core::formatUtc(job.until));
    }
    std::optional<confcap::sink::FinalizeResult> finish(const std::string& key,
                                                        std::string_view reason,
                                                        bool windowEnded) override {
        note("finish " + key + " (" + std::string(reason) + (windowEnded ? ", at its end)" : ")"));
        confcap::sink::FinalizeResult result;
        result.outcome = confcap::core::Outcome::Recorded;
        result.reason = "recorded: 1.0 MB";
        result.files = {outDir_ / (key + ".ts")};
        result.status.bytes = 1'000'000;
        return result;
    }
    std::optional<confcap::sink::Interruption> interrupt(const std::string& key,
                                                         std::string_view reason) override {
        note("interrupt " + key + " (" + std::string(reason) + ")");
        confcap::sink::Interruption interruption;
        interruption.result.outcome = confcap::core::Outcome::Interrupted;
        interruption.result.reason = "interrupted: " + std::string(reason);
        interruption.result.files = {outDir_ / (key + ".ts")};
        return interruption;
    }
    std::optional<confcap::sink::SinkStatus> progress(const std::string&) const override {
        std::lock_guard lock(mutex_);
        return progress_;
    }
    /// What progress() answers from now on (empty counters until then).
    void setProgress(confcap::sink::SinkStatus progress) {
        std::lock_guard lock(mutex_);
        progress_ = std::move(progress);
    }
    std::optional<std::string> partFile(const std::string& key) const override {
        return key + ".ts.part";
    }
    const std::filesystem::path& outDir() const noexcept override { return outDir_; }

    std::vector<std::string> calls() const {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    /// How many calls so far begin with `prefix` ("start a", "finish").
    std::size_t callsStartingWith(const std::string& prefix) const {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(std::count_if(
            calls_.begin(), calls_.end(), [&](const auto& c) { return c.rfind(prefix, 0) == 0; }));
    }

private:
    void note(std::string call) {
        std::lock_guard lock(mutex_);
        calls_.push_back(std::move(call));
    }
    mutable std::mutex mutex_;
    std::vector<std::string> calls_;
    confcap::sink::SinkStatus progress_;
    std::filesystem::path outDir_ = "/out";
};

/// Keeps the latest snapshot of each job and every message; asks the scheduler something on
/// every call, which would deadlock if the scheduler called it with its lock held.
class NotingReporter final : public confcap::run::Reporter {
public:
    void publish(confcap::run::Event event) override {
        if (scheduler != nullptr) {
            scheduler->done();
        }
        std::lock_guard lock(mutex_);
        messages_.push_back(event.mark.talk + ": " + event.message);
    }
    void update(confcap::run::JobSnapshot snapshot) override {
        if (scheduler != nullptr) {
            scheduler->done();
        }
        std::lock_guard lock(mutex_);
        jobs_[snapshot.key] = std::move(snapshot);
    }
    void disk(confcap::run::DiskSnapshot snapshot) override {
        std::lock_guard lock(mutex_);
        disk_ = snapshot;
    }
    void health(const std::string& key, confcap::run::TalkHealth health) override {
        std::lock_guard lock(mutex_);
        health_[key] = std::move(health);
    }
    /// The health last reported for `key` (empty before any).
    confcap::run::TalkHealth healthOf(const std::string& key) const {
        std::lock_guard lock(mutex_);
        const auto found = health_.find(key);
        return found == health_.end() ? confcap::run::TalkHealth{} : found->second;
    }
    /// Every job's latest snapshot, by key.
    std::vector<confcap::run::JobSnapshot> jobs() const {
        std::lock_guard lock(mutex_);
        std::vector<confcap::run::JobSnapshot> all;
        for (const auto& [key, job] : jobs_) {
            all.push_back(job);
        }
        return all;
    }
    /// Every message so far, as "talk: message".
    std::vector<std::string> messages() const {
        std::lock_guard lock(mutex_);
        return messages_;
    }
    /// The disk as the guard last told it.
    std::optional<confcap::run::DiskSnapshot> lastDisk() const {
        std::lock_guard lock(mutex_);
        return disk_;
    }
    JobState state(const std::string& key) const {
        std::lock_guard lock(mutex_);
        return jobs_.at(key).state;
    }
    confcap::run::JobSnapshot job(const std::string& key) const {
        std::lock_guard lock(mutex_);
        return jobs_.at(key);
    }
    bool said(const std::string& text) const {
        std::lock_guard lock(mutex_);
        return std::any_of(messages_.begin(), messages_.end(),
                           [&](const auto& m) { return m.find(text) != std::string::npos; });
    }
    Scheduler* scheduler = nullptr;

private:
    mutable std::mutex mutex_;
    std::vector<std::string> messages_;
    std::map<std::string, confcap::run::JobSnapshot> jobs_;
    std::optional<confcap::run::DiskSnapshot> disk_;
    std::map<std::string, confcap::run::TalkHealth> health_;
};

}  // namespace confcap::testing
