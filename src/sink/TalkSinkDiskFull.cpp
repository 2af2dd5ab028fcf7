// How a talk sink rides out a full disk (ENOSPC, EDQUOT) or a file at the file system's size
// limit (EFBIG): a further piece where that helps, else the stream held in memory (HeldStream)
// while writing is retried, and the episode's account in the counters when it ends.
#include "confcap/sink/TalkSink.h"

#include <algorithm>
#include <cerrno>

#include "confcap/core/Error.h"
#include "confcap/core/FileIo.h"
#include "confcap/media/FormatDetection.h"
#include "confcap/sink/SinkStates.h"

namespace confcap::sink {

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
    parts_.list().notes.push_back(core::quotedPath(limited) +
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
    coverage_.paused();
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
                const auto offset = media::fileStartOffset(format, chunk.bytes, chunk.kind);
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

}  // namespace confcap::sink
