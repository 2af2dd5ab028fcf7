// The sink for one talk: writes the room's stream into part files while the talk's window is
// open, measures what it got (bytes, media time, gaps), and on finalize decides whether to keep
// it and turns the parts into one final file plus a JSON sidecar, or discards them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Clock.h"
#include "confcap/core/Media.h"
#include "confcap/sink/HeldStream.h"
#include "confcap/sink/Interruption.h"
#include "confcap/sink/OverlapLedger.h"
#include "confcap/sink/PartSet.h"
#include "confcap/sink/Publisher.h"
#include "confcap/sink/Recording.h"
#include "confcap/sink/RecordingCoverage.h"
#include "confcap/sink/TalkSinkConfig.h"

namespace confcap::sink {

/// Writes one talk's part of a room's stream. The MediaSink calls come from one capture thread;
/// status(), currentFile() and resumePoints() may be called from any thread; finalize() and
/// suspend() after the capture stopped feeding it. The parts live next to the final file (see
/// PartSet), with a part list that lets a later process continue or finish them.
class TalkSink final : public core::MediaSink {
public:
    /// Prepares the sink; no file is created before the first beginPiece. When a part set for
    /// the same `outDir`/`relativeStem` was left by an earlier run, the sink continues it: its
    /// pieces and counters are kept and new data starts a new piece (see continued()). Throws
    /// std::invalid_argument for a stem that is empty, absolute or has "." or ".."; PartSetInUse
    /// when that part set is held by a live sink; core::OutputError when its list is damaged.
    explicit TalkSink(TalkSinkConfig config, const core::Clock& clock = defaultClock(),
                      PieceMerger merger = PieceMerger());
    /// Closes the files. Without finalize() the parts and their list stay for a later run.
    ~TalkSink() override;
    TalkSink(const TalkSink&) = delete;
    TalkSink& operator=(const TalkSink&) = delete;

    /// Starts a new piece unless `format` is concat-safe and matches the open piece and
    /// `newTimeline` is false. Throws core::OutputError when its file cannot be created.
    void beginPiece(const core::StreamFormat& format, bool newTimeline) override;
    /// Gives the current piece a file for the further track. Throws core::OutputError as
    /// beginPiece does.
    void beginTrack(const core::TrackInfo& track, const core::StreamFormat& format) override;
    /// Appends to the track's file with POSIX write(). HLS segments whose media ends before the
    /// window opens are left out until the recording has data. A file at the file system's size
    /// limit (EFBIG) goes on in a new piece. A full disk (ENOSPC, EDQUOT), or a size limit a new
    /// piece does not help with, does not end the recording either: the stream is held in memory
    /// (see TalkSinkConfig::holdBytes) and writing is retried at most once a second as data
    /// arrives, and at finalize(); what could not be kept becomes a "disk full" gap. Throws
    /// core::OutputError naming the file once when writing fails for any other reason; later
    /// data is then counted as dropped.
    void write(const core::Chunk& chunk) override;
    void gap(const core::Gap& gap) override;
    void reconnected() override;
    /// Records the move (status().variants, the sidecar's "variants"); the piece goes on.
    void variantSwitched(const core::VariantSwitch& change) override;

    /// A snapshot of the counters. Any thread.
    SinkStatus status() const;
    /// True when this sink took over parts left by an earlier run.
    bool continued() const noexcept { return continued_; }
    /// The final name without extension, relative to the output folder.
    const std::filesystem::path& relativeStem() const noexcept { return config_.relativeStem; }
    /// The main track's file being written, relative to the output folder ("…/Talk.ts.part");
    /// empty before the first piece. Any thread.
    std::string currentFile() const;
    /// HLS: where the recording stands in each track (the next segment to write), also what an
    /// earlier run left. Any thread.
    std::vector<core::HlsResumePoint> resumePoints() const;

    /// Ends the recording: decides (decideFinal) whether to keep it, then publishes it
    /// (Publisher) and removes the parts, or removes them. When publishing fails, the outcome is
    /// Failed and the parts stay for a later recovery. `reason` says why it ends ("window
    /// ended"); it goes into the sidecar. Calling it again returns the first result. Does not
    /// throw for I/O problems.
    FinalizeResult finalize(std::string_view reason);
    /// Ends this run's part without finishing the recording (confcap stops inside the window):
    /// files closed, the part list saved for the next run, which continues it into the same
    /// final file. Returns the counters. Later calls other than status() are not allowed.
    SinkStatus suspend();
    /// Ends this run's part with a playable file (confcap stops inside the window, cleanly):
    /// what was recorded is published under the final name with outcome Interrupted, and the
    /// result carries the part list that lets the next run continue that file (see
    /// reopenPublished). When there is nothing worth a file yet, or publishing fails, the parts
    /// and their list stay instead, as suspend() leaves them. Later calls other than status()
    /// are not allowed. Does not throw for I/O problems.
    Interruption interrupt(std::string_view reason);

    /// Told of every chunk written whole: the file it went into (full path) and the offset it
    /// begins at, so that the room's tape refers to those bytes instead of writing them again.
    using WriteObserver = std::function<void(
        const core::Chunk& chunk, const std::filesystem::path& file, std::uint64_t offset)>;
    /// Sets the observer of the writes; before the sink is attached to a capture.
    void shareWrites(WriteObserver observer) { onWritten_ = std::move(observer); }

    /// Lines the sink's MPEG-TS files up with the other talks of the room in `ledger`, and
    /// shares the blocks its files have in common with a later talk's when it finishes (see
    /// OverlapLedger); before the sink is attached to a capture. That keeps the files' bytes as
    /// the stream sent them until the talk is published (the kernel shares only equal blocks):
    /// the talk is then named in an MPEG-TS file's service description when it is published,
    /// not as it is written.
    void shareOverlaps(std::shared_ptr<OverlapLedger> ledger);

    /// The process-wide system clock used when none is given.
    static const core::Clock& defaultClock();

private:
    /// Throws std::logic_error naming `call` after finalize(), suspend() or interrupt().
    void checkOpen(const char* call) const;
    /// The writer's message for a failed write(): one sentence naming the file.
    static std::string writeFailure(const std::filesystem::path& file, int error);
    void startPiece(const core::StreamFormat& format, bool newTimeline);
    /// Writing stops for good with `message`: later data is dropped.
    void stopWriting(const std::string& message);
    void startTrack(const core::TrackInfo& track, const core::StreamFormat& format);
    /// Writes a chunk; returns the errno of a full disk (nothing written), 0 otherwise. Throws
    /// core::OutputError (failWrite) for other failures.
    int store(const core::Chunk& chunk);
    /// Before the first bytes of a track's MPEG-TS file: writes the null packets that put `chunk`
    /// where another talk's file has it within a block, and returns that file and place.
    std::optional<Overlap> alignWithEarlierTalk(const core::Chunk& chunk);
    /// Shares the blocks the recording's files have in common with later talks' files.
    void shareOverlapsWithLaterTalks();
    /// Counts `written` bytes of `chunk`, written at `now`, in the coverage, the part list and
    /// the counters. Returns whether they are the recording's first data.
    bool account(const core::Chunk& chunk, std::size_t written, core::Clock::TimePoint now);
    void startHold(int error, const core::Chunk& chunk);
    /// A file at the file system's size limit (EFBIG): the recording goes on in a new piece with
    /// the same tracks, and `chunk` is written there. False when that does not help.
    bool continueInNewPiece(const core::Chunk& chunk);
    void hold(HeldStream::Step step);
    /// Writes what is held when `force` or a second has passed since the last try.
    void retryHeld(bool force);
    /// Ends the full disk: what is still held is lost; the episode goes into the counters.
    void endHold();
    /// The recording ends here: a last try to write what is held, then the hold ends.
    void releaseHold();
    void openPiece(const core::StreamFormat& format, bool newTimeline);
    void failWrite(int error, const PartTrack& track);
    void saveList();
    /// Notes the last write to `track` in the part log instead of saving the whole list.
    void logWrite(int track, core::Clock::TimePoint now);
    /// Finalizes (or, when `interrupted`, publishes for the next run to continue) through a
    /// TalkFinisher; the state becomes Finalized and the parts are released.
    FinalizeResult conclude(std::string_view reason, bool interrupted);
    /// Takes the gaps and bytes finishing settled into the counters.
    void settle(const SinkStatus& finished);

    TalkSinkConfig config_;
    const core::Clock& clock_;
    Publisher publisher_;
    PartSet parts_;

    // Owned by the capture thread (and by finalize once it is detached).
    RecordingCoverage coverage_;
    std::optional<core::Clock::TimePoint> restartedAfter_;
    core::Clock::TimePoint lastSave_{};
    core::Clock::TimePoint lastLog_{};
    std::string writeError_;
    std::optional<HeldStream> hold_;  ///< while the disk is full
    std::string stillFull_;           ///< the disk was still full when the recording ended
    Interruption interruption_;       ///< what conclude() published when interrupted
    bool continued_ = false;
    bool suspended_ = false;
    std::set<int> startedTracks_;  ///< tracks that wrote media of the window
    std::optional<FinalizeResult> result_;
    WriteObserver onWritten_;
    std::shared_ptr<OverlapLedger> ledger_;
    std::set<int> linedUp_;  ///< tracks of the current piece past their file's first write

    mutable std::mutex mutex_;  ///< guards status_, current_ and resume_
    SinkStatus status_;
    std::string current_;
    std::vector<core::HlsResumePoint> resume_;
};

}  // namespace confcap::sink
