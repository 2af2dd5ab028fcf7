// The one place every stream's state and every event meet: the job state machine and the
// captures publish here; the log, the terminal table, the HTTP status page and the end-of-run
// summary read from here. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "confcap/core/Time.h"

namespace confcap::status {

enum class JobState {
    Waiting,     ///< window not yet begun
    Recording,   ///< attached to its room's capture
    Retrying,    ///< recording, but the stream is down and a reconnect is pending
    Finalizing,  ///< window over: merging and renaming
    Recorded,    ///< final file written
    Discarded,   ///< too small or too short: nothing kept
    Failed,      ///< no usable file (stream never answered, write failed, ...)
    Skipped,     ///< selected but not recorded (no stream for the room, opted out)
    Cancelled,   ///< removed from the schedule (a partial recording may have been kept)
    /// confcap stopped inside the window: the parts stay, and the next run with the same --out
    /// continues them into the same file (or finishes them when the window has passed)
    Interrupted,
};

/// "Waiting", "Recording", ...
const char* toString(JobState state) noexcept;

/// True for Recording, Retrying and Finalizing: the window has begun and the job is not done.
bool isActive(JobState state) noexcept;
/// True for Recorded, Discarded, Failed, Skipped, Cancelled and Interrupted: nothing will change
/// any more in this run.
bool isFinal(JobState state) noexcept;

enum class Level { Debug, Info, Warning, Error };

/// "debug", "info", "warning", "error".
const char* toString(Level level) noexcept;

/// Names the room and talk an event concerns: "[Saal 1 | 10:30 Opening]".
struct Mark {
    std::string room;  ///< empty for program-wide events
    std::string talk;  ///< "10:30 Opening" (local start time and title), or empty
};

struct Event {
    std::chrono::system_clock::time_point time;
    Level level = Level::Info;
    Mark mark;
    std::string message;  ///< one line, no trailing period required
};

/// What the operator sees of one job at a moment.
struct JobSnapshot {
    std::string key;  ///< talk guid (id where there is none)
    Mark mark;
    std::string title;
    std::string room;
    core::Instant talkStart, talkEnd;  ///< the talk as scheduled, UTC
    core::Instant from, until;         ///< the recording window, UTC
    JobState state = JobState::Waiting;
    std::string reason;  ///< why the job is in this state ("no stream for room X", ...)
    std::string file;  ///< path relative to the output folder: final, or the .part while recording
    std::uint64_t bytes = 0;
    double bitsPerSecond = 0;   ///< recent rate while recording
    double coveredSeconds = 0;  ///< seconds of the window that have media
    double gapSeconds = 0;
    int gaps = 0;
    int reconnects = 0;
    /// Why writing its file stopped early (disk full, file size limit); empty when it did not.
    std::string writeError;
};

/// The fraction (0..1) of the window's elapsed part that has media: of `from..now` while the
/// window runs, of the whole window once it is over (or the job is final); 0 before it begins.
double coverage(const JobSnapshot& job, core::Instant now) noexcept;

/// Receives every event as it is published (the log writer, the terminal). Called with the
/// board's lock NOT held, on the publishing thread.
using EventListener = std::function<void(const Event&)>;

class StatusBoard {
public:
    /// How many events recentEvents() can return at most.
    static constexpr std::size_t kKeptEvents = 500;

    /// Publishes an event to every listener. Thread-safe.
    void publish(Event event);
    /// Convenience: publish now with `level`.
    void publish(Level level, Mark mark, std::string message);
    /// Adds or replaces the job with the snapshot's key. Thread-safe.
    void update(JobSnapshot snapshot);
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
    std::vector<EventListener> listeners_;
};

}  // namespace confcap::status
