#include "confcap/sink/TalkSink.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/core/Text.h"
#include "confcap/core/Time.h"
#include "confcap/sink/RecordedGaps.h"
#include "confcap/sink/SinkStates.h"
#include "confcap/sink/TsServiceTags.h"

namespace confcap::sink {

namespace {

using TimePoint = std::chrono::system_clock::time_point;
using std::chrono::milliseconds;

// How often the whole part list is written again while data flows. In between, each write adds
// a line to the part log (PartSet::logWrite), which a restart after a kill -9 reads with the
// list. Rewriting the list for each segment made a new file each time: in a record of 256 rooms
// that was a third of the process's CPU time, and segments waited in memory while the file system
// made the files.
constexpr auto kSaveInterval = std::chrono::seconds(30);
// How old the part log's last data and coverage may be after a kill -9, for writes that add no
// segment (a progressive stream's chunks). Each HLS segment is logged.
constexpr auto kLogInterval = std::chrono::seconds(1);

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

std::string TalkSink::writeFailure(const std::filesystem::path& file, int error) {
    if (error == ENOSPC || error == EDQUOT) {
        return "The disk is full: could not write " + core::quotedPath(file) + ".";
    }
    if (error == EFBIG) {
        return "The file size limit was reached: could not write " + core::quotedPath(file) + ".";
    }
    return "Could not write " + core::quotedPath(file) + ": " + std::strerror(error) + ".";
}

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
        coverage_.resume(list.progress.coveredSeconds, list.progress.measured);
        restartedAfter_ = list.lastData;
        resume_ = list.resume;
    }
    list.streamUrl = config_.streamUrl;
    list.windowStart = config_.windowStart;
    list.windowEnd = config_.windowEnd;
    list.minBytes = config_.minBytes;
    list.minDuration = config_.minDuration;
    list.talk = config_.talk;
    if (config_.container == Container::AsRecorded) {
        // Publishing keeps an MPEG-TS file as recorded and names the talk in it: that is done
        // as it is written, which spares reading it through again.
        parts_.nameServiceAsWritten(tsServiceIn(fileTagsFor(config_.talk, "ts", std::nullopt, 0)));
    }
}

void TalkSink::shareOverlaps(std::shared_ptr<OverlapLedger> ledger) {
    ledger_ = std::move(ledger);
    if (ledger_) {
        parts_.nameServiceAsWritten(std::nullopt);
    }
}

TalkSink::~TalkSink() {
    if (!result_ && !suspended_) {
        parts_.closeFiles();
        saveList();
    }
}

void TalkSink::checkOpen(const char* call) const {
    if (result_ || suspended_) {
        throw std::logic_error(std::string("TalkSink::") + call + " after finalize");
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

void TalkSink::saveList() {
    {
        std::lock_guard lock(mutex_);
        parts_.list().progress = status_;
        parts_.list().resume = resume_;
    }
    parts_.save();
    lastSave_ = clock_.now();
}

void TalkSink::logWrite(int track, TimePoint now) {
    auto& list = parts_.list();
    {
        std::lock_guard lock(mutex_);
        list.progress.coveredSeconds = status_.coveredSeconds;
        list.progress.measured = status_.measured;
        list.resume = resume_;
    }
    lastLog_ = now;
    if (!parts_.logWrite(track) && now - lastSave_ >= kLogInterval) {
        saveList();  // without a log, the list is what a restart knows
    }
}

void TalkSink::beginPiece(const core::StreamFormat& format, bool newTimeline) {
    checkOpen("beginPiece");
    if (!writeError_.empty()) {
        return;
    }
    coverage_.paused();
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
    parts_.openPiece(format, newTimeline);
    linedUp_.clear();
    coverage_.startPiece(parts_.list().pieces.back().tracks.front().format.extension);
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
    checkOpen("beginTrack");
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
    checkOpen("write");
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
    const auto overlap = alignWithEarlierTalk(chunk);
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
    if (error == 0) {
        if (const auto at = parts_.lastWrite()) {
            if (onWritten_) {
                onWritten_(chunk, at->file, at->offset);
            }
            if (ledger_) {
                ledger_->wrote(chunk, at->file, at->offset);
                if (overlap) {
                    ledger_->pair({overlap->earlier, overlap->earlierOffset, at->file, at->offset});
                }
            }
        }
    }
    const auto now = clock_.now();
    const bool firstData = account(chunk, written, now);
    if (error != 0) {
        for (const auto& track : parts_.list().pieces.back().tracks) {
            if (track.track == chunk.track) {
                failWrite(error, track);
            }
        }
    }
    if (firstData || now - lastSave_ >= kSaveInterval) {
        saveList();
    } else if (written > 0 && (chunk.sequence || now - lastLog_ >= kLogInterval)) {
        logWrite(chunk.track, now);
    }
    return 0;
}

bool TalkSink::account(const core::Chunk& chunk, std::size_t written, TimePoint now) {
    std::optional<RecordedGap> notRunning;
    if (chunk.track == 0 && written > 0) {
        coverage_.wrote(chunk.bytes.substr(0, written),
                        chunk.kind == core::ChunkKind::SegmentStart ? chunk.mediaSeconds : 0, now);
        if (restartedAfter_) {
            // The stream went on while no confcap was running.
            notRunning = gapWhileNotRunning(*restartedAfter_, parts_.list().resume, chunk, now,
                                            config_.windowStart);
            restartedAfter_.reset();
        }
    }
    auto& list = parts_.list();
    const bool firstData = written > 0 && !list.firstData;
    if (written > 0) {
        if (firstData) {
            list.firstData = now;
        }
        list.lastData = now;
    }
    std::lock_guard lock(mutex_);
    status_.bytes += written;
    status_.droppedBytes += chunk.bytes.size() - written;
    if (written > 0) {
        status_.lastData = now;
    }
    status_.coveredSeconds = coverage_.seconds();
    status_.measured = coverage_.measured();
    if (notRunning) {
        status_.gaps.push_back(std::move(*notRunning));
    }
    if (chunk.sequence && written == chunk.bytes.size()) {
        std::erase_if(resume_,
                      [&](const core::HlsResumePoint& p) { return p.track == chunk.track; });
        resume_.push_back({chunk.track, *chunk.sequence + 1, std::string(chunk.uri)});
    }
    return firstData;
}

void TalkSink::failWrite(int error, const PartTrack& track) {
    const auto message = writeFailure(parts_.pathOf(track), error);
    parts_.closeFiles();
    stopWriting(message);
    saveList();
    throw core::OutputError(message);
}

void TalkSink::gap(const core::Gap& gap) {
    checkOpen("gap");
    auto recorded = recordedGap(gap.at, gap.length, gap.cause, config_.windowStart);
    recorded.detail = gap.detail;
    recorded.firstSequence = gap.firstSequence;
    recorded.lastSequence = gap.lastSequence;
    {
        std::lock_guard lock(mutex_);
        status_.gaps.push_back(std::move(recorded));
    }
    coverage_.paused();
    saveList();
}

void TalkSink::reconnected() {
    checkOpen("reconnected");
    {
        std::lock_guard lock(mutex_);
        status_.reconnects += 1;
    }
    coverage_.paused();
    saveList();
}

void TalkSink::variantSwitched(const core::VariantSwitch& change) {
    checkOpen("variantSwitched");
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

std::optional<Overlap> TalkSink::alignWithEarlierTalk(const core::Chunk& chunk) {
    // Only a file's first bytes are lined up: every later chunk is looked at no further.
    if (!ledger_ || chunk.bytes.empty() || !linedUp_.insert(chunk.track).second) {
        return std::nullopt;
    }
    const auto end = parts_.endOf(chunk.track);
    if (!end || end->at.offset != 0 || end->format.extension != "ts" || !ledger_->sharing()) {
        return std::nullopt;
    }
    const auto earlier = ledger_->writtenElsewhere(chunk, end->at.file);
    const auto packets =
        earlier ? ledger_->paddingPackets(0, earlier->earlierOffset) : std::nullopt;
    if (!packets) {
        return std::nullopt;
    }
    std::size_t written = 0;
    if (*packets > 0 && parts_.append(chunk.track, nullPackets(*packets), written) != 0) {
        return std::nullopt;  // the chunk's own write meets the same trouble and handles it
    }
    return earlier;
}

}  // namespace confcap::sink
