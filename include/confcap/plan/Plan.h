// Planning: from a schedule, the selection, the rooms' streams, padding and the name template to
// the recording jobs; and what changed between two plans. Pure functions over values.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/plan/Shard.h"
#include "confcap/schedule/Schedule.h"
#include "confcap/select/Selector.h"

namespace confcap::plan {

/// Where each room streams: explicit `--stream ROOM=URL` entries, else a URL template, else the
/// conference's streams (`--conference`: a preset or the streaming API).
struct StreamMap {
    /// (room name or guid, URL), matched case-insensitively against the room's name or guid.
    std::vector<std::pair<std::string, std::string>> streams;
    /// `--stream-template`: "{room}", "{room_slug}" and "{room_guid}", each URL-encoded.
    std::string streamTemplate;
    /// (schedule room name, URL) from the streaming API, already matched to the schedule's
    /// rooms (see matchRooms); unlike `streams`, a room the schedule lacks is no error.
    std::vector<std::pair<std::string, std::string>> conferenceStreams;
    /// Where conferenceStreams came from, for the reason a room has none, e.g. "the streaming
    /// API's 35c3 (hd, native)"; empty without --conference.
    std::string conferenceSource;
};

/// Parses one `--stream ROOM=URL` value. Throws core::UsageError when it has no '=', an empty
/// room, or a URL that is not http(s)://, naming the value.
std::pair<std::string, std::string> parseStreamOption(std::string_view value);

struct PlanOptions {
    core::Seconds padBefore{60};
    core::Seconds padAfter{300};
    std::string namePattern;  ///< empty: plan::kDefaultNamePattern
    bool windowsSafeNames = false;
    /// IANA zone for {date}/{time} in names; empty: the conference's zone, else UTC.
    std::string zone;
    /// `--shard K/N`: talks of rooms of other shards are skipped, not jobs.
    std::optional<Shard> shard;
};

/// How a job ends besides its window's end (a `capture` wants all of these; a `record` none).
struct JobEnding {
    /// A stream that is a finished recording (VOD, ended when first read) ends the job.
    bool atStreamEnd = false;
    /// Writing its file failing (disk full) ends the job.
    bool onWriteFailure = false;
    /// An HTTP error answering the very first request ends the job (a mistyped URL).
    bool onFirstHttpError = false;
    /// Why the job ended when its window did, for the sidecar; "window ended" when empty.
    std::string windowEnded;
};

/// One talk to record: the stream to take it from and the window to take.
struct Job {
    schedule::Talk talk;
    std::string stream;
    core::Instant from;   ///< window start, UTC (talk start - pad-before)
    core::Instant until;  ///< window end, UTC (talk end + pad-after)
    /// The recording's path relative to the output folder, without extension; the extension is
    /// the stream's container, known once data arrives.
    std::filesystem::path fileStem;
    /// The extension the stream's URL suggests ("ts" for HLS), for showing the plan.
    std::string expectedExtension;
    JobEnding ending;
    std::string conference;  ///< the conference's title, for the file's tags
    /// The talk's start date in the conference's zone (YYYY-MM-DD); in UTC without one.
    std::string localDate;
};

/// A selected talk that is not a job, and why.
struct Skipped {
    schedule::Talk talk;
    std::string reason;
    bool otherShard = false;  ///< another shard of --shard K/N records the talk's room
};

struct Plan {
    std::vector<Job> jobs;  ///< in window-start order
    /// selected but not recorded here: no stream for the room, or the room is another shard's
    std::vector<Skipped> skipped;
};

/// Makes the plan. Pure. Throws core::UsageError when a --stream names a room the schedule does
/// not have (the sentence lists the rooms it has), or when the name template is invalid.
Plan makePlan(const schedule::Schedule& schedule, const select::Selector& selector,
              const StreamMap& streams, const PlanOptions& options);

/// What changed between the running plan and a new one, by talk key (guid, else id).
struct PlanDiff {
    std::vector<Job> added;  ///< new and selected
    std::vector<Job>
        cancelled;  ///< gone from the new plan (cancelled, deselected, lost its stream)
    /// (old, new) pairs whose window, stream or file changed.
    std::vector<std::pair<Job, Job>> changed;
};

/// Compares two plans. Pure.
PlanDiff diffPlans(const Plan& before, const Plan& after);

}  // namespace confcap::plan
