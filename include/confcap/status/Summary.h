// The end-of-run summary: every selected talk with what became of it (recorded, discarded,
// failed, skipped, cancelled) and why, its file, and how much of it was covered. Printed as a
// table when a run ends and kept as JSON in <out>/.confcap/summary.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "confcap/core/Outcome.h"
#include "confcap/core/Time.h"
#include "confcap/run/Hook.h"
#include "confcap/status/StatusBoard.h"

namespace confcap::status {

/// One talk's line in the summary.
struct SummaryEntry {
    std::string key;
    std::string room;
    std::string title;
    std::string talk;  ///< the mark's "10:30 Opening", or the title when the mark has none
    core::Instant talkStart, talkEnd;  ///< as scheduled, UTC
    core::Instant from, until;         ///< the recording window, UTC
    core::Outcome outcome = core::Outcome::Failed;
    std::string reason;  ///< why; for a job that never finished, what the run's end left behind
    std::string file;    ///< relative to the output folder; empty when nothing was kept
    std::uint64_t bytes = 0;
    double scheduledSeconds = 0;  ///< the talk's scheduled length
    double windowSeconds = 0;     ///< the recording window's length (padding included)
    double coveredSeconds = 0;
    double gapSeconds = 0;
    double diskFullSeconds = 0;  ///< time the disk was full while it recorded
    int gaps = 0;
    std::vector<core::Gap> gapSpans;  ///< each gap with its start (UTC) and cause
    int reconnects = 0;
    /// The --on-recorded hook's state ("ok", "failed", ...) and what became of its program;
    /// empty when the talk had none.
    std::string hook;
    std::string hookExit;
    /// What the content health check found of its file; none when it was not checked.
    std::optional<health::ContentHealth> health;
    /// What a person reads of it ("silent 38.0 min from 10:42"); empty when healthy.
    std::vector<std::string> healthFlags;
    /// The thumbnails, relative to the output folder; empty when none were drawn.
    std::string middleThumbnail;
    std::string stripThumbnail;
};

class Summary {
public:
    /// The summary of the jobs' final snapshots, in their order. A job that is not final (the run
    /// was stopped) counts as Cancelled, with a reason saying what was left. Pure.
    static Summary fromJobs(const std::vector<JobSnapshot>& jobs, core::Instant finishedAt);
    /// The same, finished now (system clock).
    static Summary fromJobs(const std::vector<JobSnapshot>& jobs);

    /// Where a run keeps its summary: `<outputDir>/.confcap/summary.json`. Pure.
    static std::filesystem::path defaultPath(const std::filesystem::path& outputDir);

    const std::vector<SummaryEntry>& entries() const noexcept { return entries_; }
    core::Instant finishedAt() const noexcept { return finishedAt_; }
    /// How many talks had `outcome`.
    std::size_t count(core::Outcome outcome) const noexcept;
    /// Adds what became of the talks' --on-recorded hooks (matched by key; a hook of a talk
    /// that is not listed only counts).
    void addHooks(const std::vector<run::HookRecord>& hooks);
    /// How many hooks ended in `state`.
    std::size_t hookCount(run::HookState state) const noexcept;

    /// A readable table: a headline with the counts (and a line with the hooks' counts when
    /// there were hooks), then one line per talk with outcome, room, talk, covered/window and
    /// percentage, gaps, and the file or the reason (and a hook that did not end ok, and the
    /// content health flags). Text is sanitized.
    void print(std::ostream& out) const;
    /// The conference's zone (IANA name) the run showed its times in; "UTC" when empty.
    void setZone(std::string zone) { zone_ = std::move(zone); }
    const std::string& zone() const noexcept { return zone_; }

    /// {"version": 1, "finished", "zone", "total_bytes", "counts": {outcome: n}, "talks": [{"key",
    /// "room", "title", "talk", "start", "end", "from", "until", "outcome", "reason", "file",
    /// "bytes", "scheduled_seconds", "window_seconds", "covered_seconds", "coverage",
    /// "gap_seconds", "gaps", "gap_spans": [{"offset_seconds" (from "from"), "seconds", "cause",
    /// "detail"}], "reconnects", "hook": {"state", "exit"} when it had one, "health"
    /// (health::toJson) and "health_flags" once its file was checked, "thumbnails": {"middle",
    /// "strip"} once drawn}], "hooks": {state: n} when there were hooks}, times RFC 3339 UTC. Pure.
    std::string toJson() const;
    /// The summary toJson() wrote, read back: what `confcap summary` lists of talks that left no
    /// sidecar. A file without "version" is read as version 1; a talk without a key or with an
    /// unknown outcome is left out. Throws core::InputError when `json` is not a summary. Pure.
    static Summary fromJson(const std::string& json);
    /// fromJson() of the file at `path`; none when it is missing or not a summary.
    static std::optional<Summary> readJson(const std::filesystem::path& path);
    /// Writes toJson() to `path` atomically (a temporary file beside it, synced, then renamed),
    /// creating the parent folders. Throws core::OutputError naming the path on failure.
    void writeJson(const std::filesystem::path& path) const;

private:
    core::Instant finishedAt_{};
    std::vector<SummaryEntry> entries_;
    std::vector<run::HookState> hooks_;
    std::string zone_;
};

}  // namespace confcap::status
