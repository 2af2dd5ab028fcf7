// The status as JSON, the document behind /api/status and the status page: every job with every
// JobSnapshot field, counts, and the recent events. Times are RFC 3339 in UTC.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/status/StatusBoard.h"

namespace date {
class time_zone;
}

namespace confcap::status {

/// "recording", "waiting", ...: the lower-case state name used in JSON. Pure.
std::string stateName(JobState state);

/// `text` with every byte but ASCII letters, digits and "-._~" (and '/' when `keepSlashes`)
/// written as %XX, for a URL path or query value. Pure.
std::string percentEncoded(std::string_view text, bool keepSlashes);

/// The URL path under which the status server serves `file` (relative to the output folder):
/// "/recordings/" followed by the percent-encoded path, e.g. "/recordings/Saal%201/talk.ts".
/// Empty when `file` is empty. Pure.
std::string recordingUrl(std::string_view file);

/// What a person reads of a job's content health: while it records, since when it is silent,
/// black or frozen ("silent since 10:42"); once its file was checked, the file's flags. Pure.
std::vector<std::string> healthFlags(const JobSnapshot& job);

/// One sentence on the output folder's disk for the status page: "Disk: 12.3 GB free of 100 GB;
/// the rest of the plan needs 4.1 GB (at most 6.0 Mb/s); --min-free 1.0 GB.", with how long the
/// free space lasts when the rest does not fit, and that talks wait while it is below
/// --min-free. Pure.
std::string diskLine(const DiskSnapshot& disk, core::Instant now);

/// What the status document and the page tell besides the jobs and events.
struct StatusContext {
    /// Where the end-of-run summary is served ("/summary.json"); empty before it exists.
    std::string summaryUrl;
    /// The disk guard's last look; none without one.
    std::optional<DiskSnapshot> disk;
    /// The conference's zone, in which the page shows times; UTC when null.
    const date::time_zone* zone = nullptr;
    /// The timeline as SVG, sent as "timeline" when not empty.
    std::string timelineSvg;
    /// The rooms' tapes as the recorder told them last.
    std::vector<run::TapeSnapshot> tapes;
};

/// The zone's IANA name, "UTC" for null. Pure.
std::string zoneName(const date::time_zone* zone);

/// The status document:
/// {"now", "zone", "summary_line", "total_bytes", "counts": {state: n}, "summary_url" (or null),
///  "jobs": [{"key", "room", "title", "mark": {"room", "talk"}, "talk_start", "talk_end",
///  "from", "until", "window_seconds", "state", "reason", "file", "url", "bytes",
///  "bits_per_second", "covered_seconds", "coverage", "gap_seconds", "gaps", "reconnects",
///  "covered_spans": [{"offset_seconds", "seconds"}], "gap_spans": [{"offset_seconds",
///  "seconds", "cause", "detail", "open"}], "health" (health::toJson of its file's health, once
///  checked), "liveHealth" (health::toJson of the live checks, while it records and something
///  applies), "health_flags" (healthFlags()), "thumbnails": {"middle", "strip"} (relative to the
///  output folder, once drawn)}],
///  "events": [{"time", "level", "room", "talk", "message"}],
///  "disk": {"free_bytes", "total_bytes", "needed_bytes", "min_free_bytes",
///  "peak_bits_per_second", "runs_out_at" (or null), "below_min_free", "checked", "line"} or
///  null, "tapes": [{"room", "bytes", "writing", "error" (or null), "from", "until",
///  "spans": [{"from", "until"}]}], "timeline": SVG text when the context has it}, oldest event
///  first. "zone" names the
/// conference's zone (the times themselves are UTC); the spans are a job's timelineTalk(), in
/// seconds from "from". Text is sanitized (no control characters). Pure.
std::string statusJson(const std::vector<JobSnapshot>& jobs, const std::vector<Event>& events,
                       core::Instant now, const StatusContext& context);

}  // namespace confcap::status
