#include "confcap/sink/HeldStream.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "confcap/core/Text.h"
#include "confcap/core/Time.h"

namespace confcap::sink {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

/// How often writing is tried again while the disk is full (as data arrives).
constexpr auto kRetryInterval = std::chrono::seconds(1);

}  // namespace

HeldStream::Step HeldStream::Step::of(const core::Chunk& chunk) {
    Step step;
    step.chunk = chunk;
    step.bytes.assign(chunk.bytes);
    step.uri.assign(chunk.uri);
    return step;
}

HeldStream::Step HeldStream::Step::piece(const core::StreamFormat& format, bool newTimeline) {
    Step step;
    step.kind = Kind::Piece;
    step.format = format;
    step.newTimeline = newTimeline;
    return step;
}

HeldStream::Step HeldStream::Step::further(const core::TrackInfo& track,
                                           const core::StreamFormat& format) {
    Step step;
    step.kind = Kind::Track;
    step.track = track;
    step.format = format;
    return step;
}

core::Chunk HeldStream::Step::view() const {
    core::Chunk viewed = chunk;
    viewed.bytes = bytes;
    viewed.uri = uri;
    return viewed;
}

HeldStream::HeldStream(TimePoint since, std::string why, std::size_t limit)
    : since_(since), lastTry_(since), why_(std::move(why)), limit_(limit) {}

std::uint64_t HeldStream::add(Step step, TimePoint now) {
    step.arrived = now;
    bytes_ += step.bytes.size();
    steps_.push_back(std::move(step));
    std::uint64_t dropped = 0;
    auto it = steps_.begin();
    while (bytes_ > limit_ && it != steps_.end()) {
        if (it->kind != Step::Kind::Chunk || it->chunk.kind == core::ChunkKind::Init ||
            std::next(it) == steps_.end()) {
            ++it;
            continue;
        }
        lose(*it, std::next(it)->arrived);
        bytes_ -= it->bytes.size();
        dropped += it->bytes.size();
        it = steps_.erase(it);
    }
    return dropped;
}

void HeldStream::pop() {
    bytes_ -= steps_.front().bytes.size();
    steps_.pop_front();
}

void HeldStream::dropFront(TimePoint now) {
    lose(steps_.front(), steps_.size() > 1 ? steps_[1].arrived : now);
    pop();
}

bool HeldStream::due(TimePoint now, bool force) {
    if (!force && now - lastTry_ < kRetryInterval) {
        return false;
    }
    lastTry_ = now;
    return true;
}

void HeldStream::lose(const Step& step, TimePoint until) {
    if (step.kind != Step::Kind::Chunk || step.chunk.track != 0) {
        return;
    }
    lostAt_ = std::min(lostAt_.value_or(step.arrived), step.arrived);
    lostSeconds_ += step.chunk.mediaSeconds;
    if (step.chunk.sequence) {
        lostFirst_ = lostFirst_.value_or(*step.chunk.sequence);
        lostLast_ = *step.chunk.sequence;
    }
    resync_ = resync_ || step.chunk.kind == core::ChunkKind::Media;
    lostUntil_ = until;
}

HeldStream::Episode HeldStream::end(TimePoint now, TimePoint windowStart) {
    Episode episode;
    for (const auto& step : steps_) {
        lose(step, now);  // still held when the recording ends
        episode.droppedBytes += step.bytes.size();
    }
    steps_.clear();
    bytes_ = 0;
    episode.length = duration_cast<milliseconds>(now - since_);
    if (lostAt_) {
        RecordedGap gap;
        gap.at = *lostAt_;
        gap.offset = duration_cast<milliseconds>(*lostAt_ - windowStart);
        gap.length = lostSeconds_ > 0
                         ? milliseconds(std::llround(lostSeconds_ * 1000.0))
                         : duration_cast<milliseconds>(std::max(lostUntil_, *lostAt_) - *lostAt_);
        gap.cause = core::gapcause::kDiskFull;
        gap.detail = why_;
        gap.firstSequence = lostFirst_;
        gap.lastSequence = lostLast_;
        episode.gap = std::move(gap);
    }
    episode.note =
        "The disk was full for " +
        core::formatDuration(std::max(duration_cast<std::chrono::seconds>(episode.length),
                                      std::chrono::seconds(1))) +
        " (" + core::clause(why_) + "); " +
        (episode.gap
             ? core::formatDuration(duration_cast<std::chrono::seconds>(episode.gap->length)) +
                   " of the stream could not be kept and is a gap."
             : std::string("what arrived meanwhile was held in memory and written when "
                           "space came back, nothing was lost."));
    return episode;
}

}  // namespace confcap::sink
