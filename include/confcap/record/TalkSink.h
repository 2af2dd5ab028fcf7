// The sink for one talk: writes the room's stream into part files while the talk's window is
// open, measures what it got (bytes, covered time, gaps), and on finalize turns the parts into
// one final file plus a JSON sidecar, or discards them. Leftover parts can be recovered later.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Clock.h"
#include "confcap/record/MediaSink.h"
#include "confcap/record/PieceMerger.h"

namespace confcap::record {

/// What a TalkSink needs to know about its talk, as plain values.
struct TalkSinkConfig {
    std::filesystem::path outDir;  ///< the output folder (--out)
    /// The final file's path relative to `outDir` without extension (see fileStemFor); the
    /// sink appends "." and the stream's extension.
    std::filesystem::path relativeStem;
    std::chrono::system_clock::time_point windowStart;  ///< UTC, padding included
    std::chrono::system_clock::time_point windowEnd;    ///< UTC, padding included
    std::uint64_t minBytes = 0;                         ///< --min-size
    std::chrono::seconds minDuration{0};                ///< --min-duration, of covered time
    std::string streamUrl;
    /// The talk as the schedule describes it: a JSON object's text, copied into the sidecar.
    /// Empty for none.
    std::string talkMetadataJson;
};

/// Where a sink is in its life.
enum class SinkState {
    Waiting,      ///< no data yet
    Recording,    ///< a piece is open
    WriteFailed,  ///< writing failed (disk full, size limit); later data is dropped
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

/// A snapshot of a sink's counters.
struct SinkStatus {
    SinkState state = SinkState::Waiting;
    std::uint64_t bytes = 0;    ///< written to part files
    double coveredSeconds = 0;  ///< media time received (wall time where the source gave none)
    std::vector<RecordedGap> gaps;
    int reconnects = 0;
    int pieces = 0;                  ///< part files started (each connection in a container format)
    std::uint64_t droppedBytes = 0;  ///< arrived after a write failure, not written
};

/// How a talk's recording ended.
enum class Outcome { Recorded, Discarded, Failed };

/// "recorded", "discarded" or "failed". Pure.
std::string_view outcomeName(Outcome outcome) noexcept;

/// The result of finalizing a sink.
struct FinalizeResult {
    Outcome outcome = Outcome::Failed;
    std::string reason;  ///< one sentence for the log and the summary
    /// The final media file, or the numbered pieces when they could not be merged (full paths).
    std::vector<std::filesystem::path> files;
    std::filesystem::path sidecar;  ///< the JSON sidecar; empty unless Recorded
    std::filesystem::path relativeStem;
    std::string talkMetadataJson;
    SinkStatus status;               ///< the counters at the end (bytes: of the final files)
    std::vector<std::string> notes;  ///< what else to tell: write failures, unmerged pieces
};

/// Writes one talk's part of a room's stream. The MediaSink calls come from one capture thread;
/// status() may be called from any thread; finalize() after the capture stopped feeding it.
/// Part files live next to the final file: "<stem>.<ext>.part", "<stem>.<ext>.part2"..., with
/// the manifest "<stem>.part.json" that lets a later process finish them.
class TalkSink final : public MediaSink {
public:
    /// Prepares the sink; no file is created before the first beginPiece. When a part set for
    /// the same `outDir`/`relativeStem` was left by an earlier run, the sink continues it: its
    /// pieces and counters are kept and new data starts a new piece (see continued()). Throws
    /// std::invalid_argument for a stem that is empty, absolute or has "." or "..", or metadata
    /// that is not a JSON object; core::OutputError when that part set is in use by a live sink.
    explicit TalkSink(TalkSinkConfig config, const core::Clock& clock = defaultClock(),
                      PieceMerger merger = PieceMerger());
    /// Closes the files. Without finalize() the parts and manifest stay for recoverLeftovers().
    ~TalkSink() override;
    TalkSink(const TalkSink&) = delete;
    TalkSink& operator=(const TalkSink&) = delete;

    /// Starts a new part file unless `format` is concat-safe and matches the open piece and
    /// `newTimeline` is false. Throws core::OutputError when the part file cannot be created.
    void beginPiece(const StreamFormat& format, bool newTimeline) override;
    void beginTrack(const TrackInfo& track, const StreamFormat& format) override;
    /// Appends the main track's bytes to the open piece with POSIX write(). Throws
    /// core::OutputError naming the file once when writing fails (disk full, file size limit);
    /// later data is counted as dropped.
    void write(const Chunk& chunk) override;
    void gap(const Gap& gap) override;
    void reconnected() override;

    /// A snapshot of the counters. Any thread.
    SinkStatus status() const;
    /// True when this sink took over parts left by an earlier run.
    bool continued() const noexcept { return continued_; }
    /// The final name without extension, relative to the output folder.
    const std::filesystem::path& relativeStem() const noexcept { return config_.relativeStem; }

    /// Ends the recording: below --min-size or --min-duration the parts are deleted (Discarded);
    /// otherwise pieces are merged and moved to "<stem>.<ext>" — never overwriting: a taken
    /// name gets " (2)", " (3)"... — and the sidecar "<stem>.json" is written (Recorded). When
    /// nothing usable was written, or moving fails, the outcome is Failed (in the latter case the
    /// parts stay for a later recovery). `reason` says why it ends ("window ended"); it goes into
    /// the sidecar. Calling it again returns the first result. Does not throw for I/O problems.
    FinalizeResult finalize(std::string_view reason);

    /// Finalizes every part set left under `outDir` (searched recursively, hidden folders
    /// skipped) by sinks that were never finalized, merging and never overwriting. Part sets a
    /// live sink holds (in any process) are left alone. Returns one result per part set.
    static std::vector<FinalizeResult> recoverLeftovers(const std::filesystem::path& outDir,
                                                        const PieceMerger& merger = PieceMerger());

    /// The manifest file of a part set: "<outDir>/<relativeStem>.part.json". Pure.
    static std::filesystem::path manifestPathFor(const std::filesystem::path& outDir,
                                                 const std::filesystem::path& relativeStem);

    /// The process-wide system clock used when none is given.
    static const core::Clock& defaultClock();

private:
    struct PieceFile {
        std::string name;  ///< file name inside dir_
        StreamFormat format;
        bool newTimeline = false;  ///< its timestamps do not continue the piece before
    };

    void loadLeftover();
    void openPiece(const StreamFormat& format, bool newTimeline);
    void closePiece() noexcept;
    void failWrite(int error);
    bool writeManifest() const noexcept;
    std::string manifestText() const;
    std::uint64_t pieceBytes(const PieceFile& piece) const;
    FinalizeResult finish(std::string_view reason);
    std::filesystem::path partPath(const PieceFile& piece) const { return dir_ / piece.name; }

    TalkSinkConfig config_;
    const core::Clock& clock_;
    PieceMerger merger_;
    std::filesystem::path dir_;  ///< the folder of the final file and its parts
    std::string leaf_;           ///< the final file's name without extension
    std::filesystem::path manifest_;

    // Owned by the capture thread (and by finalize once it is detached).
    std::vector<PieceFile> pieces_;
    int fd_ = -1;      ///< the open piece
    int lockFd_ = -1;  ///< holds flock() on the first piece while this sink lives
    std::optional<core::Clock::TimePoint> lastWrite_;
    std::optional<core::Clock::TimePoint> firstData_;  ///< when the recording's first byte came
    std::optional<core::Clock::TimePoint> lastData_;
    std::optional<core::Clock::TimePoint> restartedAfter_;
    core::Clock::TimePoint lastManifest_{};
    std::string writeError_;
    std::vector<std::string> notes_;
    bool continued_ = false;
    std::optional<FinalizeResult> result_;

    mutable std::mutex mutex_;  ///< guards status_
    SinkStatus status_;
};

}  // namespace confcap::record
