// A room's current outage: since when the stream has delivered nothing, why, how many attempts
// have failed, and whether a failure is worth telling in full; one that goes on is told once a
// minute, with how long it has lasted.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "confcap/core/Media.h"
#include "confcap/source/Source.h"

namespace confcap::capture {

/// Not thread-safe: RoomCapture keeps it under its lock.
class Outage {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    /// How one failed attempt is told.
    struct Report {
        /// The sentence for the log: the failure itself, or "still failing after 75.0 s (9
        /// attempts): …" when the same failure is told again after a minute.
        std::string message;
        /// Failed attempts in this outage, this one included.
        int attempts = 0;
        /// The same failure as the last one told in full, less than a minute ago: a log shows
        /// it only when verbose.
        bool repeat = false;
        /// When the stream last delivered media (or the capture started).
        TimePoint since;
    };

    /// How the outage ends when a connection delivers media again.
    struct Resumption {
        /// The sentence for the log: "resumed at segment 1042, nothing lost", "resumed after
        /// 8.0 s without data (the stream started again)".
        std::string message;
        /// What was lost, when anything was.
        std::optional<core::Gap> gap;
        /// Where the lost time ends (the new media's start, or now).
        TimePoint gapEnd;
    };

    /// A capture (re)starts at `t`: no outage, nothing told yet.
    void reset(TimePoint t);
    /// Media arrived at `t`.
    void delivered(TimePoint t) { lastData_ = t; }
    /// A connection delivers media again at `t`: the outage is over, and the next failure is
    /// told in full.
    void connected(TimePoint t);

    /// One failed attempt at `t`. `message` is the failure as a sentence, `cause` the same in
    /// a few words ("HTTP 404"; repeats are recognized by it), `category` a core::gapcause
    /// value for the gap the outage becomes.
    Report fail(TimePoint t, const std::string& message, const std::string& cause,
                const std::string& category);

    /// The outage ends at `t` with a connection that resumes as `resume` says. `everConnected`:
    /// the capture has had a connection before; `lastMediaEnd`: where the media last received
    /// ended on the wall clock, when the stream tells it (HLS). A stream that paused or started
    /// again made no media meanwhile, so the time it was away is the gap; after an outage of a
    /// stream that went on, HLS resumes at the next segment and only the segments that rolled
    /// out are lost. Pure.
    Resumption resumption(TimePoint t, const source::Resume& resume, bool everConnected,
                          std::optional<TimePoint> lastMediaEnd) const;
    /// The gap of a sink that leaves at `t` during the outage, counted from when it was attached
    /// at the earliest; nullopt when there is no outage or it lost nothing. Pure.
    std::optional<core::Gap> gapUntil(TimePoint t, TimePoint attachedAt, bool everConnected) const;
    /// The outage as a core::gapcause value: "not live yet" before any connection. Pure.
    std::string gapCause(bool everConnected) const;

    /// True from a failure until the next connection.
    bool active() const noexcept { return active_; }
    /// The last failure as a sentence, and as a core::gapcause value.
    const std::string& sentence() const noexcept { return sentence_; }
    const std::string& category() const noexcept { return category_; }
    /// Failed attempts in this outage.
    int attempts() const noexcept { return attempts_; }
    /// When media last arrived (or the capture started).
    TimePoint lastData() const noexcept { return lastData_; }

private:
    bool active_ = false;
    std::string sentence_;
    std::string category_;
    int attempts_ = 0;
    std::string reportedCause_;
    TimePoint reportedAt_;
    TimePoint lastData_;
};

}  // namespace confcap::capture
