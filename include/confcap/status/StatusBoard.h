// The one place every stream's state and every event meet: the job state machine and the
// captures publish here; the log, the terminal table, the HTTP status page and the end-of-run
// summary read from here. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/run/Report.h"

namespace confcap::status {

using run::DiskSnapshot;
using run::Event;
using run::isActive;
using run::isFinal;
using run::JobSnapshot;
using run::JobState;
using run::Level;
using run::Mark;
using run::toString;

/// The fraction (0..1) of the window's elapsed part that has media: of `from..now` while the
/// window runs, of the whole window once it is over (or the job is final); 0 before it begins.
double coverage(const JobSnapshot& job, core::Instant now) noexcept;

/// Receives every event as it is published (the log writer, the terminal). Called with the
/// board's lock NOT held, on the publishing thread.
using EventListener = std::function<void(const Event&)>;

class StatusBoard final : public run::Reporter {
public:
    /// How many events recentEvents() can return at most.
    static constexpr std::size_t kKeptEvents = 500;

    using run::Reporter::publish;
    /// Publishes an event to every listener. Thread-safe.
    void publish(Event event) override;
    /// Adds or replaces the job with the snapshot's key, keeping its health. Thread-safe.
    void update(JobSnapshot snapshot) override;
    /// Keeps what the health checks found of the job with `key`. Thread-safe.
    void health(const std::string& key, run::TalkHealth health) override;
    /// Keeps the disk as the disk guard saw it last. Thread-safe.
    void disk(DiskSnapshot snapshot) override;
    /// The disk as the disk guard saw it last; none before it looked (or without a guard).
    /// Thread-safe.
    std::optional<DiskSnapshot> disk() const;
    /// Keeps the rooms' tapes as the recorder told them last. Thread-safe.
    void tapes(std::vector<run::TapeSnapshot> tapes) override;
    /// The rooms' tapes as told last; empty before (or without tapes). Thread-safe.
    std::vector<run::TapeSnapshot> tapes() const;
    /// Every job in window order (by `from`, then room, then key). Thread-safe.
    std::vector<JobSnapshot> jobs() const;
    /// The job with `key`, if there is one. Thread-safe.
    std::optional<JobSnapshot> job(const std::string& key) const;
    /// The most recent events (at most `count`), oldest first. Thread-safe.
    std::vector<Event> recentEvents(std::size_t count) const;
    /// Registers a listener; not thread-safe against publish (register before running).
    void addListener(EventListener listener);

private:
    mutable std::mutex mutex_;
    std::vector<JobSnapshot> jobs_;
    std::deque<Event> recent_;
    std::optional<DiskSnapshot> disk_;
    std::vector<run::TapeSnapshot> tapes_;
    std::map<std::string, run::TalkHealth> health_;
    std::vector<EventListener> listeners_;
};

}  // namespace confcap::status
