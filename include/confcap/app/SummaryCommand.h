// `confcap summary DIR...`: one table of the talks of several output folders (the shards of a
// conference, or replicas of the same rooms), read from the sidecars beside the recordings and
// each folder's .confcap/summary.json.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "confcap/app/CommandLine.h"
#include "confcap/core/Time.h"
#include "confcap/health/ContentHealth.h"
#include "confcap/status/Timeline.h"

namespace date {
class time_zone;
}

namespace confcap::app {

/// One copy of a talk: what one folder holds of it.
struct TalkCopy {
    std::string key;  ///< the talk's guid, else its id
    std::string title;
    std::string room;
    std::string start;   ///< RFC 3339 UTC, as the sidecar or summary gives it
    std::string folder;  ///< the folder as given on the command line
    std::string outcome;
    std::string reason;  ///< from summary.json, for a talk without a sidecar
    double coveredSeconds = 0;
    double scheduledSeconds = 0;
    int gaps = 0;
    double gapSeconds = 0;
    /// The recording window, RFC 3339 UTC as the sidecar or summary gives it; empty when
    /// neither does.
    std::string windowStart, windowEnd;
    /// Each gap: seconds from the window's start, length, cause and detail.
    std::vector<status::TimelineGap> gapList;
    /// A frame from the middle of the file and a strip of frames over it, under `folder`;
    /// empty when the sidecar names none.
    std::filesystem::path thumbnail, strip;
    /// What the content check found in the file (the sidecar's "health"); none when not checked.
    std::optional<health::ContentHealth> health;
    /// When the file's first media arrived (UTC); none when the sidecar does not say.
    std::optional<core::Instant> firstData;
    std::filesystem::path file;  ///< the recording, under `folder`; empty when none was kept
    bool best = false;           ///< the copy of highest coverage among the talk's copies
    int copies = 1;              ///< how many folders hold the talk
};

/// The talks of `folders`: each folder's sidecars (`*.json` with a "talk" object, outside
/// hidden folders) and, for talks without a sidecar, the entries of its .confcap/summary.json.
/// A talk is listed once per folder that holds it, ordered by start, room, title, then the
/// folders' order. Throws core::InputError when a folder does not exist.
std::vector<TalkCopy> readTalkCopies(const std::vector<std::filesystem::path>& folders);

/// The zone the first of `folders` whose .confcap/summary.json names one showed its times in;
/// nullptr (UTC) when none does or the name is unknown.
const date::time_zone* summaryZone(const std::vector<std::filesystem::path>& folders);

/// Writes summary.html (status::summaryHtml) of `copies` read from `folders` to `page`,
/// replacing it whole; its links (files, thumbnails that exist) are relative to the page's
/// folder, its times in `zone` (UTC when null). Throws core::OutputError naming `page`.
void writeSummaryPage(const std::vector<TalkCopy>& copies,
                      const std::vector<std::filesystem::path>& folders,
                      const std::filesystem::path& page, const date::time_zone* zone,
                      core::Instant written);

/// Runs `confcap summary`; returns the exit code.
int runSummary(const Arguments& arguments, std::ostream& out, std::ostream& err);

}  // namespace confcap::app
