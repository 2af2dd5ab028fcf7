// How a talk's recording ends: suspended for a later run to continue, or finished through a
// TalkFinisher (published, discarded, or published for a later run to continue when interrupted),
// after its overlap with later talks of the room is shared on disk.
#include "confcap/sink/TalkSink.h"

#include <exception>
#include <mutex>
#include <utility>

#include "confcap/core/FileIo.h"
#include "confcap/core/Format.h"
#include "confcap/sink/SinkStates.h"
#include "confcap/sink/TalkFinisher.h"

namespace confcap::sink {

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
        result_ = conclude(reason, false);
    }
    return *result_;
}

Interruption TalkSink::interrupt(std::string_view reason) {
    checkOpen("interrupt");
    auto result = conclude(reason, true);
    suspended_ = true;
    auto interruption = std::move(interruption_);
    interruption.result = std::move(result);
    return interruption;
}

void TalkSink::shareOverlapsWithLaterTalks() {
    if (!ledger_) {
        return;
    }
    for (const auto& piece : parts_.list().pieces) {
        for (const auto& track : piece.tracks) {
            for (const auto& overlap : ledger_->takeOverlapsOf(parts_.pathOf(track))) {
                if (const auto shared = ledger_->share(overlap); shared > 0) {
                    // The later talk's file as it is named once published.
                    const auto later = overlap.later.extension() == ".part"
                                           ? overlap.later.stem()
                                           : overlap.later.filename();
                    parts_.list().notes.push_back(
                        "Its last " + core::formatBytes(shared) + " are kept on disk once with " +
                        core::quotedPath(later) + ", whose window overlaps it.");
                }
            }
        }
    }
}

FinalizeResult TalkSink::conclude(std::string_view reason, bool interrupted) {
    releaseHold();
    parts_.closeFiles();
    // Before publishing, which may rewrite the file's service description in place.
    shareOverlapsWithLaterTalks();
    SinkEnd end;
    end.counters = status();
    end.resume = resumePoints();
    end.stopped = writeError_.empty() ? stillFull_ : writeError_;
    end.idleSinceRestart = continued_ && restartedAfter_.has_value();
    TalkFinisher finisher(config_, parts_, publisher_, clock_, std::move(end));
    FinalizeResult result;
    try {
        auto finished = finisher.finish(reason, interrupted);
        settle(finisher.counters());
        if (finished.keepParts) {
            saveList();
        } else {
            parts_.removeAll();
        }
        interruption_ = std::move(finished.continuation);
        result = std::move(finished.result);
    } catch (const std::exception& e) {
        // The parts stay for a later run.
        settle(finisher.counters());
        saveList();
        result = interrupted ? finisher.interruptFailed(reason, e) : finisher.failed(e);
        interruption_ = Interruption{};
    }
    {
        std::lock_guard lock(mutex_);
        transition(status_, SinkState::Finalized);
    }
    result.status = status();
    parts_.release();
    return result;
}

void TalkSink::settle(const SinkStatus& finished) {
    std::lock_guard lock(mutex_);
    status_.gaps = finished.gaps;
    status_.bytes = finished.bytes;
}

}  // namespace confcap::sink
