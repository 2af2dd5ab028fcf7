#include "confcap/sink/TalkSink.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "confcap/core/Error.h"
#include "confcap/core/Text.h"
#include "confcap/core/Time.h"
#include "confcap/sink/FinalizeDecision.h"
#include "confcap/sink/Sidecar.h"
#include "confcap/sink/SinkStates.h"

namespace confcap::sink {

namespace {

using TimePoint = std::chrono::system_clock::time_point;
using std::chrono::milliseconds;

// After a kill -9 the part list is all a restart knows about the time before it (last data,
// covered seconds): it may be this old.
constexpr auto kSaveInterval = std::chrono::seconds(1);

std::string quoted(const std::filesystem::path& path) {
    return "\"" + path.string() + "\"";
}

RecordedGap recordedGap(TimePoint at, milliseconds length, std::string cause, TimePoint start) {
    RecordedGap gap;
    gap.at = at;
    gap.offset = std::chrono::duration_cast<milliseconds>(at - start);
    gap.length = length;
    gap.cause = std::move(cause);
    return gap;
}

/// The writer's message for a failed write(): one sentence naming the file.
std::string writeFailure(const std::filesystem::path& file, int error) {
    if (error == ENOSPC || error == EDQUOT) {
        return "The disk is full: could not write " + quoted(file) + ".";
    }
    if (error == EFBIG) {
        return "The file size limit was reached: could not write " + quoted(file) + ".";
    }
    return "Could not write " + quoted(file) + ": " + std::strerror(error) + ".";
}

/// Errors after which writing can succeed again once space is freed.
bool isSpaceError(int error) {
    return error == ENOSPC || error == EDQUOT || error == EFBIG;
}

/// `config` with its stem checked. Throws std::invalid_argument.
TalkSinkConfig checked(TalkSinkConfig config) {
    const auto& stem = config.relativeStem;
    if (stem.empty() || stem.is_absolute() || !stem.has_filename()) {
        throw std::invalid_argument("TalkSink needs a relative file stem, not '" + stem.string() +
                                    "'");
    }
    for (const auto& part : stem) {
        if (part == "." || part == "..") {
            throw std::invalid_argument("TalkSink's file stem '" + stem.string() +
                                        "' may not contain '.' or '..'");
        }
    }
    return config;
}

}  // namespace

const core::Clock& TalkSink::defaultClock() {
    static const core::SystemClock clock;
    return clock;
}

TalkSink::TalkSink(TalkSinkConfig config, const core::Clock& clock, PieceMerger merger)
    : config_(checked(std::move(config))),
      clock_(clock),
      publisher_(std::move(merger)),
      parts_(config_.outDir, config_.relativeStem) {
    auto& list = parts_.list();
    if (parts_.loaded()) {
        continued_ = true;
        if (config_.adoptPartList) {
            config_.windowStart = list.windowStart;
            config_.windowEnd = list.windowEnd;
            config_.minBytes = list.minBytes;
            config_.minDuration = list.minDuration;
            config_.streamUrl = list.streamUrl;
            config_.talk = list.talk;
        }
        status_ = list.progress;  // the list keeps no state: the sink starts Waiting
        status_.lastData = list.lastData;
        status_.pieces = static_cast<int>(list.pieces.size());
        for (const auto& piece : list.pieces) {
            status_.bytes += parts_.bytesOf(piece);
        }
        earlierSeconds_ = list.progress.coveredSeconds;
        earlierMeasured_ = list.progress.measured;
        restartedAfter_ = list.lastData;
        resume_ = list.resume;
    }
    list.streamUrl = config_.streamUrl;
    list.windowStart = config_.windowStart;
    list.windowEnd = config_.windowEnd;
    list.minBytes = config_.minBytes;
    list.minDuration = config_.minDuration;
    list.talk = config_.talk;
}

TalkSink::~TalkSink() {
    if (!result_ && !suspended_) {
        parts_.closeFiles();
        saveList();
    }
}

std::string TalkSink::currentFile() const {
    std::lock_guard lock(mutex_);
    return current_;
}

std::vector<core::HlsResumePoint> TalkSink::resumePoints() const {
    std::lock_guard lock(mutex_);
    return resume_;
}

SinkStatus TalkSink::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

double TalkSink::pieceSeconds() const {
    if (meter_.measured()) {
        return meter_.seconds();
    }
    return pieceExtinf_ > 0 ? pieceExtinf_ : pieceWall_;
}

void TalkSink::foldPiece() {
    earlierSeconds_ += pieceSeconds();
    earlierMeasured_ = earlierMeasured_ || meter_.measured();
    meter_ = CoverageMeter("");
    pieceExtinf_ = 0;
    pieceWall_ = 0;
}

void TalkSink::saveList() {
    {
        std::lock_guard lock(mutex_);
        parts_.list().progress = status_;
        parts_.list().resume = resume_;
    }
    parts_.save();
    lastSave_ = clock_.now();
}

void TalkSink::beginPiece(const core::StreamFormat& format, bool newTimeline) {
    if (result_ || suspended_) {
        throw std::logic_error("TalkSink::beginPiece after finalize");
    }
    if (!writeError_.empty()) {
        return;
    }
    lastWrite_.reset();
    if (hold_) {
        retryHeld(false);
    }
    if (hold_) {
        hold(HeldStream::Step::piece(format, newTimeline));
        return;
    }
    try {
        startPiece(format, newTimeline);
    } catch (const core::OutputError& e) {
        // Like a failed write: later data is dropped and finalize keeps what exists.
        stopWriting(e.what());
        throw;
    }
}

void TalkSink::startPiece(const core::StreamFormat& format, bool newTimeline) {
    const auto& pieces = parts_.list().pieces;
    if (parts_.isOpen(0) && format.concatSafe && !newTimeline && !pieces.empty() &&
        pieces.back().tracks.front().format.extension == format.extension) {
        return;
    }
    openPiece(format, newTimeline);
}

void TalkSink::stopWriting(const std::string& message) {
    writeError_ = message;
    parts_.list().notes.push_back("Writing stopped early. " + writeError_);
    std::lock_guard lock(mutex_);
    transition(status_, SinkState::WriteFailed);
    if (status_.writeFailure.empty()) {
        status_.writeFailure = writeError_;
    }
}

void TalkSink::openPiece(const core::StreamFormat& format, bool newTimeline) {
    foldPiece();
    parts_.openPiece(format, newTimeline);
    meter_ = CoverageMeter(parts_.list().pieces.back().tracks.front().format.extension);
    const auto file = (std::filesystem::path(config_.relativeStem).parent_path() /
                       parts_.list().pieces.back().tracks.front().file)
                          .generic_string();
    {
        std::lock_guard lock(mutex_);
        status_.pieces += 1;
        transition(status_, SinkState::Recording);
        current_ = file;
    }
    saveList();
}

void TalkSink::beginTrack(const core::TrackInfo& track, const core::StreamFormat& format) {
    if (result_ || suspended_) {
        throw std::logic_error("TalkSink::beginTrack after finalize");
    }
    if (!writeError_.empty()) {
        return;
    }
    if (hold_) {
        hold(HeldStream::Step::further(track, format));
        return;
    }
    try {
        startTrack(track, format);
    } catch (const core::OutputError& e) {
        stopWriting(e.what());
        throw;
    }
}

void TalkSink::startTrack(const core::TrackInfo& track, const core::StreamFormat& format) {
    if (!parts_.isOpen(0)) {
        return;
    }
    parts_.openTrack(track, format);
    saveList();
}

void TalkSink::write(const core::Chunk& chunk) {
    if (result_ || suspended_) {
        throw std::logic_error("TalkSink::write after finalize");
    }
    if (!writeError_.empty()) {
        std::lock_guard lock(mutex_);
        status_.droppedBytes += chunk.bytes.size();
        return;
    }
    if (hold_) {
        retryHeld(false);
    }
    if (hold_) {
        hold(HeldStream::Step::of(chunk));
        return;
    }
    if (const int error = store(chunk); error != 0) {
        if (error == EFBIG && continueInNewPiece(chunk)) {
            return;
        }
        startHold(error, chunk);
    }
}

bool TalkSink::continueInNewPiece(const core::Chunk& chunk) {
    const auto piece = parts_.list().pieces.back();
    const auto full = std::find_if(piece.tracks.begin(), piece.tracks.end(),
                                   [&](const PartTrack& t) { return t.track == chunk.track; });
    std::error_code error;
    if (full == piece.tracks.end() ||
        std::filesystem::file_size(parts_.pathOf(*full), error) == 0 || error) {
        return false;  // the chunk alone is over the limit: a new file cannot take it either
    }
    const auto limited = parts_.pathOf(*full);
    try {
        openPiece(piece.tracks.front().format, false);
        for (const auto& track : piece.tracks) {
            if (track.track != 0) {
                parts_.openTrack({track.track, track.name, track.language}, track.format);
            }
        }
    } catch (const core::OutputError&) {
        return false;
    }
    parts_.list().notes.push_back(quoted(limited) +
                                  " reached the file system's size limit: the recording went on "
                                  "in a further piece.");
    {
        std::lock_guard lock(mutex_);
        if (status_.writeFailure.empty()) {
            status_.writeFailure = writeFailure(limited, EFBIG);
        }
    }
    saveList();
    return store(chunk) == 0;
}

int TalkSink::store(const core::Chunk& chunk) {
    if (!parts_.isOpen(chunk.track)) {
        if (chunk.track == 0) {
            throw std::logic_error("TalkSink::write before beginPiece");
        }
        return 0;  // a further track that began in no piece of this sink
    }
    if (chunk.kind == core::ChunkKind::SegmentStart && chunk.endsAt &&
        *chunk.endsAt <= config_.windowStart && !continued_ &&
        startedTracks_.count(chunk.track) == 0) {
        return 0;  // a segment a live stream starts behind its edge with, over before the window
    }
    std::size_t written = 0;
    const int error = chunk.kind == core::ChunkKind::SegmentStart && chunk.sequence
                          ? parts_.appendSegment(chunk.track, chunk.bytes, *chunk.sequence,
                                                 chunk.mediaSeconds, written)
                          : parts_.append(chunk.track, chunk.bytes, written);
    if (error != 0 && written == 0 && isSpaceError(error)) {
        return error;
    }
    if (chunk.kind != core::ChunkKind::Init) {
        startedTracks_.insert(chunk.track);
    }
    const auto now = clock_.now();
    const bool main = chunk.track == 0;
    if (main && written > 0) {
        meter_.feed(chunk.bytes.substr(0, written));
        if (chunk.kind == core::ChunkKind::SegmentStart) {
            pieceExtinf_ += chunk.mediaSeconds;
        }
        if (lastWrite_ && now > *lastWrite_) {
            pieceWall_ += std::chrono::duration<double>(now - *lastWrite_).count();
        }
    }
    std::optional<RecordedGap> notRunning;
    if (main && written > 0 && restartedAfter_) {
        // The stream went on while no confcap was running. An HLS stream that still listed the
        // next segment lost nothing; otherwise the segments skipped, or the time, are lost.
        std::optional<core::HlsResumePoint> point;
        for (const auto& p : parts_.list().resume) {
            if (p.track == 0) {
                point = p;
            }
        }
        if (point && chunk.sequence && *chunk.sequence >= point->nextSequence) {
            const auto skipped = *chunk.sequence - point->nextSequence;
            if (skipped > 0) {
                notRunning = recordedGap(*restartedAfter_,
                                         milliseconds(std::llround(static_cast<double>(skipped) *
                                                                   chunk.mediaSeconds * 1000.0)),
                                         core::gapcause::kNotRunning, config_.windowStart);
                notRunning->firstSequence = point->nextSequence;
                notRunning->lastSequence = *chunk.sequence - 1;
            }
        } else if (now > *restartedAfter_) {
            notRunning = recordedGap(
                *restartedAfter_, std::chrono::duration_cast<milliseconds>(now - *restartedAfter_),
                core::gapcause::kNotRunning, config_.windowStart);
        }
        restartedAfter_.reset();
    }
    auto& list = parts_.list();
    const bool firstData = written > 0 && !list.firstData;
    if (written > 0) {
        if (firstData) {
            list.firstData = now;
        }
        list.lastData = now;
        if (main) {
            lastWrite_ = now;
        }
    }
    {
        std::lock_guard lock(mutex_);
        status_.bytes += written;
        status_.droppedBytes += chunk.bytes.size() - written;
        if (written > 0) {
            status_.lastData = now;
        }
        status_.coveredSeconds = earlierSeconds_ + pieceSeconds();
        status_.measured = earlierMeasured_ || meter_.measured();
        if (notRunning) {
            status_.gaps.push_back(std::move(*notRunning));
        }
        if (chunk.sequence && written == chunk.bytes.size()) {
            std::erase_if(resume_,
                          [&](const core::HlsResumePoint& p) { return p.track == chunk.track; });
            resume_.push_back({chunk.track, *chunk.sequence + 1, std::string(chunk.uri)});
        }
    }
    if (error != 0) {
        const auto& pieces = list.pieces;
        for (const auto& track : pieces.back().tracks) {
            if (track.track == chunk.track) {
                failWrite(error, track);
            }
        }
    }
    if (firstData || now - lastSave_ >= kSaveInterval) {
        saveList();
    }
    return 0;
}

void TalkSink::startHold(int error, const core::Chunk& chunk) {
    std::string message;
    for (const auto& track : parts_.list().pieces.back().tracks) {
        if (track.track == chunk.track) {
            message = writeFailure(parts_.pathOf(track), error);
        }
    }
    const auto now = clock_.now();
    hold_.emplace(now, message, config_.holdBytes);
    {
        std::lock_guard lock(mutex_);
        transition(status_, SinkState::DiskFull);
        status_.diskFullSince = now;
        status_.diskFullEpisodes += 1;
        if (status_.writeFailure.empty()) {
            status_.writeFailure = message;
        }
    }
    hold(HeldStream::Step::of(chunk));
    lastWrite_.reset();
    saveList();
}

void TalkSink::hold(HeldStream::Step step) {
    if (const auto dropped = hold_->add(std::move(step), clock_.now()); dropped > 0) {
        std::lock_guard lock(mutex_);
        status_.droppedBytes += dropped;
    }
}

void TalkSink::retryHeld(bool force) {
    auto& held = *hold_;
    const auto now = clock_.now();
    if (!held.due(now, force)) {
        return;
    }
    while (!held.empty()) {
        const auto& step = held.front();
        if (step.kind == HeldStream::Step::Kind::Piece) {
            try {
                startPiece(step.format, step.newTimeline);
            } catch (const core::OutputError&) {
                return;  // the disk is still full: tried again later
            }
        } else if (step.kind == HeldStream::Step::Kind::Track) {
            try {
                startTrack(step.track, step.format);
            } catch (const core::OutputError&) {
                return;
            }
        } else {
            auto chunk = step.view();
            if (held.resync() && chunk.track == 0 && chunk.kind == core::ChunkKind::Media &&
                parts_.isOpen(0)) {
                // Progressive bytes after a loss begin where a player can pick the stream up.
                const auto& format = parts_.list().pieces.back().tracks.front().format;
                const auto offset = core::startOffset(format, chunk.bytes, chunk.kind);
                if (offset == std::string_view::npos) {
                    held.dropFront(now);
                    continue;
                }
                chunk.bytes = chunk.bytes.substr(offset);
                chunk.mediaSeconds = offset == 0 ? chunk.mediaSeconds : 0;
            }
            if (store(chunk) != 0) {
                return;
            }
            if (chunk.track == 0) {
                held.resynced();
            }
        }
        held.pop();
    }
    endHold();
}

void TalkSink::endHold() {
    auto episode = hold_->end(clock_.now(), config_.windowStart);
    hold_.reset();
    parts_.list().notes.push_back(std::move(episode.note));
    {
        std::lock_guard lock(mutex_);
        // A piece opened while the disk was full already made the sink Recording; a write
        // that failed for good leaves it WriteFailed.
        if (status_.state == SinkState::DiskFull) {
            transition(status_, parts_.isOpen(0) ? SinkState::Recording : SinkState::Waiting);
        }
        status_.diskFullSince.reset();
        status_.diskFullTime += episode.length;
        status_.droppedBytes += episode.droppedBytes;
        if (episode.gap) {
            status_.gaps.push_back(std::move(*episode.gap));
        }
    }
    saveList();
}

void TalkSink::failWrite(int error, const PartTrack& track) {
    const auto message = writeFailure(parts_.pathOf(track), error);
    parts_.closeFiles();
    stopWriting(message);
    saveList();
    throw core::OutputError(message);
}

void TalkSink::gap(const core::Gap& gap) {
    if (result_ || suspended_) {
        throw std::logic_error("TalkSink::gap after finalize");
    }
    auto recorded = recordedGap(gap.at, gap.length, gap.cause, config_.windowStart);
    recorded.detail = gap.detail;
    recorded.firstSequence = gap.firstSequence;
    recorded.lastSequence = gap.lastSequence;
    {
        std::lock_guard lock(mutex_);
        status_.gaps.push_back(std::move(recorded));
    }
    lastWrite_.reset();
    saveList();
}

void TalkSink::reconnected() {
    if (result_ || suspended_) {
        throw std::logic_error("TalkSink::reconnected after finalize");
    }
    {
        std::lock_guard lock(mutex_);
        status_.reconnects += 1;
    }
    lastWrite_.reset();
    saveList();
}

void TalkSink::variantSwitched(const core::VariantSwitch& change) {
    if (result_ || suspended_) {
        throw std::logic_error("TalkSink::variantSwitched after finalize");
    }
    RecordedSwitch recorded;
    recorded.at = change.at;
    recorded.offset = std::chrono::duration_cast<milliseconds>(change.at - config_.windowStart);
    recorded.from = change.from;
    recorded.to = change.to;
    recorded.why = change.why;
    {
        std::lock_guard lock(mutex_);
        status_.variants.push_back(std::move(recorded));
    }
    saveList();
}

void TalkSink::releaseHold() {
    if (!hold_) {
        return;
    }
    try {
        if (writeError_.empty()) {  // after a write failed for good nothing is written
            retryHeld(true);
        }
    } catch (const core::OutputError&) {
        // told in the notes; the hold ends below
    }
    if (hold_) {
        // Still full at the end: writing stopped early, as for any failed write.
        stillFull_ = hold_->why();
        endHold();
    }
}

SinkStatus TalkSink::suspend() {
    if (!result_ && !suspended_) {
        releaseHold();
        parts_.closeFiles();
        saveList();
        suspended_ = true;
        parts_.release();
    }
    return status();
}

FinalizeResult TalkSink::finalize(std::string_view reason) {
    if (!result_) {
        releaseHold();
        parts_.closeFiles();
        try {
            result_ = finish(reason, false);
        } catch (const std::exception& e) {
            FinalizeResult failed;
            failed.outcome = core::Outcome::Failed;
            failed.reason =
                std::string("failed: ") + e.what() + " The parts are kept for a later recovery.";
            failed.relativeStem = config_.relativeStem;
            failed.talk = config_.talk;
            failed.notes = parts_.list().notes;
            saveList();
            result_ = std::move(failed);
        }
        {
            std::lock_guard lock(mutex_);
            transition(status_, SinkState::Finalized);
        }
        result_->status = status();
        parts_.release();
    }
    return *result_;
}

FinalizeResult TalkSink::finish(std::string_view reason, bool interrupted) {
    const auto& list = parts_.list();
    if (continued_ && restartedAfter_ && list.lastData) {
        // Finished without new data: the stream ran on after the earlier run stopped.
        const auto end = std::min(clock_.now(), config_.windowEnd);
        if (end > *list.lastData) {
            auto lost = recordedGap(*list.lastData,
                                    std::chrono::duration_cast<milliseconds>(end - *list.lastData),
                                    core::gapcause::kNotRunning, config_.windowStart);
            std::lock_guard lock(mutex_);
            status_.gaps.push_back(std::move(lost));
        }
        restartedAfter_.reset();
    }
    FinalizeInput input;
    for (const auto& piece : list.pieces) {
        input.pieceBytes.push_back(parts_.bytesOf(piece));
    }
    {
        std::lock_guard lock(mutex_);
        input.coveredSeconds = status_.coveredSeconds;
        input.measured = status_.measured;
        input.gaps = status_.gaps.size();
        if (status_.diskFullEpisodes > 0) {
            input.diskFull =
                std::max(std::chrono::seconds(1),
                         std::chrono::round<std::chrono::seconds>(status_.diskFullTime));
        }
    }
    input.minBytes = config_.minBytes;
    input.minDuration = config_.minDuration;
    input.scheduled =
        std::chrono::round<std::chrono::seconds>(config_.windowEnd - config_.windowStart);
    const auto stopped = writeError_.empty() ? stillFull_ : writeError_;
    input.writeError = stopped;
    const FinalizeDecision decision = decideFinal(input);

    FinalizeResult result;
    result.relativeStem = config_.relativeStem;
    result.talk = config_.talk;
    result.outcome = decision.outcome;
    result.reason = decision.reason;
    result.writeError = stopped;
    result.notes = list.notes;
    result.notes.insert(result.notes.end(), decision.notes.begin(), decision.notes.end());
    {
        std::lock_guard lock(mutex_);
        status_.bytes = decision.bytes;
    }
    if (decision.outcome != core::Outcome::Recorded && interrupted) {
        // Nothing worth a file yet: the parts stay for the next run, as after a crash.
        saveList();
        result.outcome = core::Outcome::Interrupted;
        result.reason = "interrupted: " + std::string(reason) +
                        " inside its window before it had enough to keep; the parts stay for "
                        "the next run with the same --out";
        result.files.clear();
        return result;
    }
    if (decision.outcome != core::Outcome::Recorded) {
        parts_.removeAll();
        return result;
    }
    if (interrupted) {
        // A playable file now; the next run inside the window continues it (reopenPublished).
        result.outcome = core::Outcome::Interrupted;
        result.reason = "interrupted: " + std::string(reason) + " inside its window with " +
                        decision.reason.substr(decision.reason.find(' ') + 1) +
                        " so far; the next run with the same --out continues this file";
    }
    Finishing finishing;
    const double mediaSeconds = status().coveredSeconds;
    if (interrupted) {
        // Kept in the container it was recorded in (the next run adds to it), with its tags.
        if (config_.container) {
            finishing.container = Container::AsRecorded;
            finishing.tags = [&](std::string_view extension) {
                return fileTagsFor(config_.talk, extension, list.firstData, mediaSeconds);
            };
        }
    } else if (config_.container) {
        finishing.container = *config_.container;
        finishing.tags = [&](std::string_view extension) {
            return fileTagsFor(config_.talk, extension, list.firstData, mediaSeconds);
        };
    }
    if (config_.nfo && !interrupted) {
        finishing.nfo = nfoText(config_.talk);
    }
    // The segments' files are measured before publishing moves or joins them.
    std::vector<SidecarInput::PieceSegments> segments;
    for (std::size_t n = 0; n < decision.kept.size(); ++n) {
        for (const auto& track : list.pieces.at(decision.kept[n]).tracks) {
            if (!track.segments.empty()) {
                std::error_code error;
                const auto size = std::filesystem::file_size(parts_.pathOf(track), error);
                segments.push_back({n + 1, track.track, error ? 0 : size, track.segments});
            }
        }
    }
    const auto sidecar = [&](const Published& placed) {
        if (!placed.merged && placed.files.size() > 1) {
            result.reason += ", kept as " + std::to_string(placed.files.size()) + " separate files";
        }
        result.notes.insert(result.notes.end(), placed.notes.begin(), placed.notes.end());
        if (placed.tagged) {
            std::uint64_t bytes = 0;
            for (const auto& file : placed.files) {
                std::error_code error;
                const auto size = std::filesystem::file_size(file, error);
                bytes += error ? 0 : size;
            }
            std::lock_guard lock(mutex_);
            status_.bytes = bytes;
        }
        return sidecarText(sidecarInput(placed, result, reason, decision.kept.size(), segments));
    };
    const auto published = publisher_.publish(parts_, decision.kept, sidecar, finishing);
    result.files = published.files;
    result.sidecar = published.sidecar;
    if (published.sidecar.empty()) {
        result.notes.push_back("Could not write the sidecar of " + quoted(published.files.front()) +
                               ".");
    }
    if (interrupted) {
        PartList now = list;
        {
            std::lock_guard lock(mutex_);
            now.progress = status_;
            now.resume = resume_;
        }
        interruption_ = continuationOf(std::move(now), published, decision.kept, config_.outDir,
                                       config_.relativeStem);
    }
    parts_.removeAll();
    return result;
}

Interruption TalkSink::interrupt(std::string_view reason) {
    if (result_ || suspended_) {
        throw std::logic_error("TalkSink::interrupt after finalize");
    }
    releaseHold();
    parts_.closeFiles();
    FinalizeResult result;
    try {
        result = finish(reason, true);
    } catch (const std::exception& e) {
        // Publishing failed: the parts stay for the next run.
        saveList();
        result.outcome = core::Outcome::Interrupted;
        result.reason = "interrupted: " + std::string(reason) + " inside its window (" +
                        core::clause(e.what()) + "); the parts stay for the next run";
        result.relativeStem = config_.relativeStem;
        result.talk = config_.talk;
        interruption_ = Interruption{};
    }
    {
        std::lock_guard lock(mutex_);
        transition(status_, SinkState::Finalized);
    }
    result.status = status();
    suspended_ = true;
    parts_.release();
    auto interruption = std::move(interruption_);
    interruption.result = std::move(result);
    return interruption;
}

SidecarInput TalkSink::sidecarInput(const Published& published, const FinalizeResult& result,
                                    std::string_view reason, std::size_t keptPieces,
                                    std::vector<SidecarInput::PieceSegments> segments) const {
    const auto& list = parts_.list();
    SidecarInput input;
    input.talk = config_.talk;
    input.streamUrl = config_.streamUrl;
    input.windowStart = config_.windowStart;
    input.windowEnd = config_.windowEnd;
    input.outDir = config_.outDir;
    input.files = published.files;
    input.merged = published.merged;
    input.container = published.container;
    input.tagged = published.tagged;
    input.chapters = published.chapters;
    input.finishError = published.finishError;
    input.nfo = published.nfo;
    input.firstData = list.firstData;
    input.pieces = list.pieces;
    input.counters = status();
    input.keptPieces = keptPieces;
    input.segments = std::move(segments);
    input.outcome = result.outcome;
    input.reason = result.reason;
    input.notes = result.notes;
    input.finalizedBecause = std::string(reason);
    return input;
}

}  // namespace confcap::sink
