// What a talk's recording is as values: where it is in its life, what it has received (bytes,
// media time, gaps), and how it ended. Shared by the talk sink, its part list, the finalize
// decision and whoever reports on them.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/core/Outcome.h"
#include "confcap/sink/TalkMetadata.h"

namespace confcap::sink {

/// Where a sink is in its life.
enum class SinkState {
    Waiting,    ///< no data yet
    Recording,  ///< a piece is open
    /// The disk is full (or the file at its size limit): the stream is held in memory while
    /// writing is retried; what does not fit is lost and becomes a gap
    DiskFull,
    WriteFailed,  ///< writing failed for good (an I/O error); later data is dropped
    Finalized,
};

/// A loss of stream as the sink records it.
struct RecordedGap {
    std::chrono::system_clock::time_point at;  ///< when the loss began (UTC)
    std::chrono::milliseconds offset{0};       ///< `at` minus the window start (negative before)
    std::chrono::milliseconds length{0};
    std::string cause;                          ///< a gapcause value
    std::string detail;                         ///< the failure as a sentence, when known
    std::optional<std::int64_t> firstSequence;  ///< HLS media sequence numbers lost, when known
    std::optional<std::int64_t> lastSequence;
};

/// A move of the HLS follower to another variant, as the sink records it.
struct RecordedSwitch {
    std::chrono::system_clock::time_point at;  ///< when the new variant's media starts (UTC)
    std::chrono::milliseconds offset{0};       ///< `at` minus the window start
    core::VariantInfo from;
    core::VariantInfo to;
    std::string why;
};

/// A snapshot of a sink's counters.
struct SinkStatus {
    SinkState state = SinkState::Waiting;
    std::uint64_t bytes = 0;  ///< written to part files
    /// Media time received: from the media's own timestamps where the container tells them
    /// (`measured`), else from the HLS segment lengths, else the wall time data flowed.
    double coveredSeconds = 0;
    bool measured = false;
    std::vector<RecordedGap> gaps;
    /// HLS: the moves to another variant, in order; none when the variant stayed.
    std::vector<RecordedSwitch> variants;
    int reconnects = 0;
    int pieces = 0;                  ///< pieces started (each a timeline of its own)
    std::uint64_t droppedBytes = 0;  ///< arrived after a write failure, not written
    /// When the last bytes were written (UTC), by this run or, for continued parts, the one
    /// before; none before the first.
    std::optional<std::chrono::system_clock::time_point> lastData;
    /// While the disk is full: since when (UTC).
    std::optional<std::chrono::system_clock::time_point> diskFullSince;
    /// Time the disk was full while this sink recorded, over all its episodes (the current one
    /// included up to its last retry), and the episodes.
    std::chrono::milliseconds diskFullTime{0};
    int diskFullEpisodes = 0;
    /// The first write that failed, as one sentence naming the file (also when writing went on
    /// after it); empty when none did.
    std::string writeFailure;
};

/// The result of finalizing a sink.
struct FinalizeResult {
    core::Outcome outcome = core::Outcome::Failed;  ///< Recorded, Discarded or Failed
    std::string reason;                             ///< one sentence for the log and the summary
    /// The final media file, or the numbered pieces when they could not be merged (full paths).
    std::vector<std::filesystem::path> files;
    std::filesystem::path sidecar;  ///< the JSON sidecar; empty unless Recorded
    std::filesystem::path relativeStem;
    TalkMetadata talk;
    SinkStatus status;               ///< the counters at the end (bytes: of the final files)
    std::vector<std::string> notes;  ///< what else to tell: write failures, unmerged pieces
    /// Why writing stopped early (an I/O error); empty when it did not.
    std::string writeError;
};

/// The failure that makes a run end with its I/O exit code: why writing stopped early, else
/// the first write that failed and was retried (a full disk); empty when every write succeeded.
inline std::string writeFailureOf(const FinalizeResult& result) {
    return result.writeError.empty() ? result.status.writeFailure : result.writeError;
}

}  // namespace confcap::sink
