// How a running job's progress reads to the people watching: its counters in its snapshot, what to
// say when its disk fills or frees, how loud a capture event is, and the bit rates of each job.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "confcap/capture/RoomCapture.h"
#include "confcap/run/JobTable.h"
#include "confcap/run/Report.h"
#include "confcap/sink/TalkSink.h"

namespace confcap::run {

/// How loud a capture event of `kind` is in the log. Pure.
Level eventLevel(capture::CaptureEvent::Kind kind);

/// Puts a sink's counters (bytes, coverage, gaps, reconnects, disk-full time) into `snapshot`.
void addCounters(JobSnapshot& snapshot, const sink::SinkStatus& counters);

/// How the run prints a clock time (the conference's zone); empty: UTC.
using ClockText = std::function<std::string(TimePoint)>;

/// `at` as `clockText` prints it, else RFC 3339 UTC to the second.
std::string clockTextOr(const ClockText& clockText, TimePoint at);

/// addCounters(), the write error, and while the disk is full the reason "waiting for disk space
/// since 10:42".
void addProgress(JobSnapshot& snapshot, const sink::SinkStatus& progress,
                 const ClockText& clockText);

/// What to tell when a sink's disk filled up or had space again between `before` and `now`;
/// none when neither happened. Pure.
std::optional<std::pair<Level, std::string>> diskFullTold(const sink::SinkStatus& before,
                                                          const sink::SinkStatus& now);

/// The bit rates of the running jobs, from the bytes each had at each progress tick. Not
/// thread-safe: its owner locks.
class JobRates {
public:
    /// Notes that `key` had `bytes` at `now`; the rate since the previous note in bit/s, none
    /// the first time (or when the count went back).
    std::optional<double> note(const std::string& key, std::uint64_t bytes, TimePoint now);
    /// The rate averaged over the job's recording once it has lasted 20 s; none before. An HLS
    /// stream delivers a segment every few seconds, so one tick's rate jumps between 0 and
    /// several times the stream's.
    std::optional<double> averaged(const std::string& key) const;
    /// Drops what is known of `key` (its job ended).
    void forget(const std::string& key);

private:
    std::map<std::string, std::pair<std::uint64_t, TimePoint>> last_;
    std::map<std::string, std::pair<std::uint64_t, TimePoint>> first_;
    std::map<std::string, double> averaged_;
};

/// What the disk guard is asked about the jobs: those still to record or recording, the bit rate
/// measured in each room (the highest averaged rate of its recording jobs), and whether a job is
/// held for space.
struct DiskQuestion {
    std::vector<plan::Job> rest;
    std::map<std::string, double> measured;
    bool someoneWaits = false;
};

/// The disk guard's question from the job table's `entries` and the jobs' `rates`. Pure.
DiskQuestion diskQuestionOf(const std::vector<JobEntry>& entries, const JobRates& rates);

}  // namespace confcap::run
