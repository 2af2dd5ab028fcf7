#include "confcap/source/HlsFollowing.h"

#include <algorithm>

#include "confcap/source/HlsVariantChoice.h"

namespace confcap::source {

namespace {

// A listed segment the server refuses this many times in a row is given up as lost.
constexpr int kSegmentAttempts = 3;
// At most a day's worth of segments are counted as lost: the length stays a length.
constexpr std::int64_t kMaxLostSegments = 86400;

}  // namespace

std::chrono::milliseconds targetOf(const HlsPlaylist& playlist) noexcept {
    return hlsMillis(static_cast<double>(std::max(1, playlist.targetDuration)));
}

std::optional<RolledOut> rolledOut(std::int64_t next, std::int64_t first,
                                   std::chrono::milliseconds target) noexcept {
    if (next >= first) {
        return std::nullopt;
    }
    RolledOut lost;
    lost.firstSequence = next;
    lost.lastSequence = first - 1;
    lost.count = first - next;
    lost.length = target * std::min(lost.count, kMaxLostSegments);
    return lost;
}

core::Gap rolledOutGap(const RolledOut& lost, const core::TrackInfo& track, const std::string& url,
                       std::chrono::system_clock::time_point at) {
    const std::string what = std::to_string(lost.count) + " segments of " + url +
                             " rolled out of the playlist before they were fetched";
    core::Gap gap;
    gap.at = at;
    gap.length = lost.length;
    gap.cause = core::gapcause::kRolledOut;
    gap.detail = track.index == 0 ? what : "The audio rendition \"" + track.name + "\": " + what;
    gap.firstSequence = lost.firstSequence;
    gap.lastSequence = lost.lastSequence;
    return gap;
}

core::Gap refusedGap(const HlsSegment& segment, std::chrono::system_clock::time_point at,
                     const std::string& why) {
    core::Gap gap;
    gap.at = at;
    gap.length = hlsMillis(segment.duration);
    gap.cause = core::gapcause::kSegmentFailed;
    gap.detail = why;
    gap.firstSequence = segment.sequence;
    gap.lastSequence = segment.sequence;
    return gap;
}

void addLost(Resume& resume, std::int64_t first, std::int64_t last,
             std::chrono::milliseconds length) noexcept {
    resume.lostFirst = resume.lostFirst ? std::min(*resume.lostFirst, first) : first;
    resume.lostLast = resume.lostLast ? std::max(*resume.lostLast, last) : last;
    resume.lostLength += length;
}

std::optional<std::chrono::milliseconds> restartLoss(std::chrono::milliseconds since,
                                                     std::chrono::milliseconds target) noexcept {
    if (since - target <= std::chrono::milliseconds(0)) {
        return std::nullopt;
    }
    return since - target;
}

core::Gap restartGap(const std::string& url, std::chrono::system_clock::time_point at,
                     std::chrono::milliseconds length) {
    core::Gap gap;
    gap.at = at;
    gap.length = length;
    gap.cause = core::gapcause::kRestarted;
    gap.detail = "The stream " + url + " started again.";
    return gap;
}

std::chrono::milliseconds timeLeftListed(std::int64_t place, std::chrono::milliseconds target,
                                         std::chrono::milliseconds elapsed) noexcept {
    return target * (place + 1) - elapsed;
}

Refusal SegmentRefusals::refused(std::int64_t sequence, bool main) noexcept {
    count_ = sequence_ == sequence ? count_ + 1 : 1;
    sequence_ = sequence;
    if (count_ >= kSegmentAttempts) {
        return Refusal::GiveUp;
    }
    return main ? Refusal::Retry : Refusal::NextReload;
}

void SegmentRefusals::clear() noexcept {
    sequence_ = -1;
    count_ = 0;
}

std::optional<Resume> pieceResume(const PiecePlace& place, const Resume& pending) {
    // A discontinuity breaks the timestamps as a restart does: the next piece begins here.
    const bool broken = place.discontinuity && place.connected;
    if (place.connected && !place.newInit && !broken && !place.newPiece) {
        return std::nullopt;
    }
    Resume resume = place.connected ? Resume{} : pending;
    resume.first = place.connected ? false : pending.first;
    resume.newTimeline = place.newTimeline || broken ||
                         (!place.connected && place.discontinuity && place.deliveredBefore);
    return resume;
}

TrackStep furtherTrackStep(bool connected, bool newPiece, const std::optional<HlsMap>& map,
                           bool begun, const std::optional<HlsMap>& pieceMap) noexcept {
    if (!connected || newPiece) {
        return TrackStep::Wait;
    }
    if (map && begun && pieceMap && *pieceMap != *map) {
        return TrackStep::NewPiece;
    }
    return TrackStep::Deliver;
}

ReloadEnd reloadEnd(const HlsPlaylist& playlist, std::optional<std::int64_t> next,
                    bool endedWhenFirstRead, std::chrono::steady_clock::duration still,
                    std::chrono::milliseconds stallTimeout) noexcept {
    if (playlist.endList && next && !playlist.segments.empty() &&
        *next > playlist.segments.back().sequence) {
        return endedWhenFirstRead ? ReloadEnd::Finished : ReloadEnd::Paused;
    }
    if (still > std::max(stallTimeout, targetOf(playlist) * 3)) {
        return ReloadEnd::Stalled;
    }
    return ReloadEnd::Reload;
}

std::chrono::milliseconds reloadDelay(const HlsPlaylist& playlist, bool changed) noexcept {
    const auto target = targetOf(playlist);
    return changed ? target : target / 2;
}

core::VariantSwitch variantSwitch(const VariantDecision& decision, const HlsVariant& from,
                                  const HlsVariant& to, std::int64_t sequence,
                                  std::chrono::system_clock::time_point at) {
    core::VariantSwitch change;
    change.at = at;
    change.from = {from.width, from.height, from.bandwidth};
    change.to = {to.width, to.height, to.bandwidth};
    change.why = decision.why;
    change.sequence = sequence;
    return change;
}

std::string switchNotice(const core::VariantSwitch& change, VariantStep step,
                         const HlsVariant& from, const HlsVariant& to) {
    return std::string(step == VariantStep::Down ? "Stepping down" : "Stepping up") +
           " from the variant " + describeVariant(from) + " to " + describeVariant(to) +
           " at segment " + std::to_string(change.sequence.value_or(0)) + ": " + change.why + ".";
}

}  // namespace confcap::source
