// What a run tells the people watching it: the state of every job and the events of the run,
// each marked with its room and talk. The run publishes through a Reporter; the status module's
// board implements it and feeds the log, the terminal table, the status page and the summary.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/core/Outcome.h"
#include "confcap/core/Time.h"
#include "confcap/health/ContentHealth.h"

namespace confcap::run {

/// Where a job is between its window's start and what became of it.
enum class JobPhase {
    Waiting,     ///< window not yet begun
    Recording,   ///< attached to its room's capture
    Retrying,    ///< recording, but the stream is down and a reconnect is pending
    Finalizing,  ///< window over: merging and renaming
    Done,        ///< nothing will change any more in this run; the outcome says what became of it
};

/// A job's state: its phase and, exactly when the phase is Done, the talk's outcome.
class JobState {
public:
    /// Waiting.
    constexpr JobState() noexcept = default;

    /// Done with `outcome`.
    static constexpr JobState done(core::Outcome outcome) noexcept {
        return JobState(JobPhase::Done, outcome);
    }

    constexpr JobPhase phase() const noexcept { return phase_; }
    /// Set exactly when phase() is Done.
    constexpr std::optional<core::Outcome> outcome() const noexcept { return outcome_; }

    friend constexpr bool operator==(const JobState&, const JobState&) noexcept = default;

    static const JobState Waiting;
    static const JobState Recording;
    static const JobState Retrying;
    static const JobState Finalizing;
    static const JobState Recorded;   ///< final file written
    static const JobState Discarded;  ///< too small or too short: nothing kept
    static const JobState Failed;     ///< no usable file (stream never answered, write failed)
    static const JobState Skipped;    ///< selected but not recorded (no stream, opted out)
    static const JobState Cancelled;  ///< removed from the schedule (a part may have been kept)
    /// confcap stopped inside the window: the parts stay, and the next run with the same --out
    /// continues them into the same file (or finishes them when the window has passed)
    static const JobState Interrupted;

private:
    constexpr JobState(JobPhase phase, std::optional<core::Outcome> outcome) noexcept
        : phase_(phase), outcome_(outcome) {}

    JobPhase phase_ = JobPhase::Waiting;
    std::optional<core::Outcome> outcome_;
};

inline constexpr JobState JobState::Waiting{JobPhase::Waiting, std::nullopt};
inline constexpr JobState JobState::Recording{JobPhase::Recording, std::nullopt};
inline constexpr JobState JobState::Retrying{JobPhase::Retrying, std::nullopt};
inline constexpr JobState JobState::Finalizing{JobPhase::Finalizing, std::nullopt};
inline constexpr JobState JobState::Recorded = JobState::done(core::Outcome::Recorded);
inline constexpr JobState JobState::Discarded = JobState::done(core::Outcome::Discarded);
inline constexpr JobState JobState::Failed = JobState::done(core::Outcome::Failed);
inline constexpr JobState JobState::Skipped = JobState::done(core::Outcome::Skipped);
inline constexpr JobState JobState::Cancelled = JobState::done(core::Outcome::Cancelled);
inline constexpr JobState JobState::Interrupted = JobState::done(core::Outcome::Interrupted);

/// "Waiting", "Recording", "Retrying", "Finalizing", and for a Done job its outcome:
/// "Recorded", "Discarded", ...
const char* toString(JobState state) noexcept;

/// True for the phases Recording, Retrying and Finalizing: the window has begun and the job is
/// not done.
bool isActive(JobState state) noexcept;
/// True for the phase Done: nothing will change any more in this run.
bool isFinal(JobState state) noexcept;

/// The Done state with `outcome`, and back: a state that is not Done has the outcome Cancelled
/// (what a run's end leaves of it). Pure.
JobState stateOf(core::Outcome outcome) noexcept;
core::Outcome outcomeOf(JobState state) noexcept;

enum class Level { Debug, Info, Warning, Error };

/// "debug", "info", "warning", "error".
const char* toString(Level level) noexcept;

/// Names the room and talk an event concerns: "[Saal 1 | 10:30 Opening]".
struct Mark {
    std::string room;  ///< empty for program-wide events
    std::string talk;  ///< "10:30 Opening" (local start time and title), or empty
};

/// What an event is about.
enum class Topic {
    Run,     ///< the run as a whole (start, schedule changes)
    Job,     ///< a job's state changed
    Stream,  ///< a room's stream (connected, failed, resumed, a notice)
};

struct Event {
    std::chrono::system_clock::time_point time;
    Level level = Level::Info;
    Mark mark;
    std::string message;  ///< one line, no trailing period required
    Topic topic = Topic::Run;
};

/// What the health checks found of a talk: of its published file, and while it records, of the
/// last minute of the growing file.
struct TalkHealth {
    /// The analysis of the published file; none before it ended (or without ffmpeg).
    std::optional<health::ContentHealth> content;
    /// What a person reads of it: "silent 38.0 min from 10:42" (health::flagsFor).
    std::vector<std::string> flags;
    /// While it records: since when it is silent, black or frozen (UTC); what applies.
    health::LiveHealth live;
    /// The same as words: "silent since 10:42" (health::liveFlagsFor).
    std::vector<std::string> liveFlags;
    /// The thumbnails, relative to the output folder; empty when none were drawn.
    std::string middleThumbnail;
    std::string stripThumbnail;
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
    /// Each gap so far: when it began (UTC), how long, its cause. A gap under way (the stream
    /// is down now) is not among them until it ends.
    std::vector<core::Gap> gapSpans;
    double diskFullSeconds = 0;  ///< time the disk was full while it recorded (ended episodes)
    int reconnects = 0;
    /// When its file last received bytes (UTC); none before the first.
    std::optional<std::chrono::system_clock::time_point> lastData;
    /// Why writing its file stopped early (disk full, file size limit); empty when it did not.
    std::string writeError;
    /// What the health checks found; kept by the reporter across the job's updates.
    TalkHealth health;
};

/// The output folder's file system as the disk guard saw it last, and what the rest of the plan
/// needs of it.
struct DiskSnapshot {
    std::chrono::system_clock::time_point at;  ///< when it was looked at (UTC)
    std::uint64_t freeBytes = 0;               ///< available to confcap
    std::uint64_t totalBytes = 0;              ///< the file system's size
    std::uint64_t reserveBytes = 0;            ///< --min-free, in bytes
    std::uint64_t neededBytes = 0;             ///< what the rest of the plan writes
    double peakBitsPerSecond = 0;              ///< the most the rest of the plan writes at once
    /// When the free space runs out at the forecast rates; none when the rest fits.
    std::optional<std::chrono::system_clock::time_point> runsOutAt;
    /// Free space is below the reserve: talks whose window opens wait for space.
    bool belowReserve = false;
};

/// One room's tape (see sink::RoomTape) as the status shows it.
struct TapeSnapshot {
    std::string room;
    /// When each piece of it was written, from its first event to its last (UTC), oldest
    /// first: the earlier runs' pieces that are kept too.
    std::vector<
        std::pair<std::chrono::system_clock::time_point, std::chrono::system_clock::time_point>>
        spans;
    std::uint64_t bytes = 0;  ///< of its media files
    bool writing = false;     ///< the room's capture writes to it now
    std::string error;        ///< why it stopped being written in this run; empty when it did not
};

/// Receives what a run publishes. Implementations are thread-safe; the run never calls them
/// while it holds a lock of its own.
class Reporter {
public:
    virtual ~Reporter() = default;
    /// An event, for the log and the recent events.
    virtual void publish(Event event) = 0;
    /// A job's state and counters now (adds or replaces the job with its key).
    virtual void update(JobSnapshot snapshot) = 0;
    /// The output folder's disk now (the disk guard looked at it). Ignored unless overridden.
    virtual void disk(DiskSnapshot /*snapshot*/) {}
    /// What the health checks found of the job with `key` (replaces what they found before;
    /// the job's other updates keep it). Ignored unless overridden.
    virtual void health(const std::string& /*key*/, TalkHealth /*health*/) {}
    /// The rooms' tapes now (replaces what was told before). Ignored unless overridden.
    virtual void tapes(std::vector<TapeSnapshot> /*tapes*/) {}

    /// Convenience: publish now with `level`.
    void publish(Level level, Mark mark, std::string message, Topic topic = Topic::Run) {
        publish(Event{std::chrono::system_clock::now(), level, std::move(mark), std::move(message),
                      topic});
    }
};

}  // namespace confcap::run
