#include "confcap/source/HlsTimeline.h"

#include <algorithm>

#include "confcap/core/Time.h"

namespace confcap::source {

namespace {

using WallClock = std::chrono::system_clock;

// The segments remembered to tell a playlist that goes on from one that started again.
constexpr std::size_t kRemembered = 16;

}  // namespace

WallClock::time_point segmentEnd(const HlsSegment& segment, WallClock::time_point firstListed) {
    if (segment.programDateTime) {
        if (const auto start = core::parseIsoInstant(*segment.programDateTime)) {
            const auto end =
                WallClock::time_point(start->time_since_epoch()) + hlsMillis(segment.duration);
            if (std::chrono::abs(end - firstListed) < std::chrono::minutes(1)) {
                return end;
            }
        }
    }
    return firstListed;
}

std::vector<WallClock::time_point> listedEnds(const HlsPlaylist& playlist,
                                              WallClock::time_point now) {
    std::vector<WallClock::time_point> ends(playlist.segments.size(), now);
    if (playlist.endList || playlist.playlistType == "VOD") {
        return ends;
    }
    auto end = now;
    for (std::size_t i = ends.size(); i-- > 0;) {
        ends[i] = end;
        end -= hlsMillis(playlist.segments[i].duration);
    }
    return ends;
}

std::int64_t startSequence(const HlsPlaylist& playlist, bool ended, int liveEdgeSegments,
                           std::optional<WallClock::time_point> mainStart,
                           WallClock::time_point now) {
    if (playlist.segments.empty()) {
        return playlist.mediaSequence;
    }
    const std::int64_t first = playlist.segments.front().sequence;
    const std::int64_t newest = playlist.segments.back().sequence;
    const auto listed = static_cast<std::int64_t>(playlist.segments.size());
    std::int64_t start = ended ? first : std::max(first, newest - liveEdgeSegments + 1);
    if (mainStart) {
        // Begin where the main track began: the first segment that reaches past its start.
        const auto ends = listedEnds(playlist, now);
        for (std::size_t i = 0; i < ends.size(); ++i) {
            if (segmentEnd(playlist.segments[i], ends[i]) > *mainStart) {
                start = playlist.segments[i].sequence;
                break;
            }
        }
    }
    return std::clamp(start, first, first + listed - 1);
}

std::int64_t switchSequence(const HlsPlaylist& other, std::int64_t next, std::int64_t newest,
                            std::optional<WallClock::time_point> lastEnd) {
    if (other.segments.empty()) {
        return next;
    }
    const std::int64_t otherNewest = other.segments.back().sequence;
    if (otherNewest >= newest - 2 && otherNewest <= newest + 2) {
        return next;
    }
    if (lastEnd) {
        bool dated = false;
        for (const auto& segment : other.segments) {
            if (!segment.programDateTime) {
                continue;
            }
            if (const auto start = core::parseIsoInstant(*segment.programDateTime)) {
                dated = true;
                if (WallClock::time_point(start->time_since_epoch()) >=
                    *lastEnd - std::chrono::seconds(1)) {
                    return segment.sequence;
                }
            }
        }
        if (dated) {
            return otherNewest + 1;  // every listed segment starts before: the next one is due
        }
    }
    return otherNewest - (newest - next);
}

void HlsTimeline::continueAt(std::int64_t next, WallClock::time_point lastDelivered) {
    next_ = next;
    recent_.clear();
    firstListed_.clear();
    lastDelivered_ = lastDelivered;
}

void HlsTimeline::resumeAt(std::int64_t next, const std::string& lastUri) {
    next_ = next;
    if (!lastUri.empty()) {
        recent_.push_back({next - 1, lastUri, {}});
    }
}

HlsContinuity HlsTimeline::read(const HlsPlaylist& playlist, WallClock::time_point now) {
    if (playlist.segments.empty()) {
        return HlsContinuity::Continues;
    }
    const std::int64_t first = playlist.segments.front().sequence;
    const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(now - lastDelivered_);
    const HlsContinuity continuity = continuityOf(playlist, recent_, discontinuitySequence_, since);
    if (continuity == HlsContinuity::Stale) {
        return continuity;
    }
    if (continuity == HlsContinuity::NewTimeline) {
        next_ = first;
        recent_.clear();
        firstListed_.clear();
    }
    discontinuitySequence_ = playlist.discontinuitySequence;
    // A segment first listed now ends by its listing, but never before one listed earlier.
    const auto ends = listedEnds(playlist, now);
    std::optional<WallClock::time_point> before;
    for (std::size_t i = 0; i < ends.size(); ++i) {
        const auto end = before ? std::max(*before, ends[i]) : ends[i];
        before = firstListed_.try_emplace(playlist.segments[i].sequence, end).first->second;
    }
    std::erase_if(firstListed_, [&](const auto& entry) { return entry.first < first; });
    return continuity;
}

void HlsTimeline::delivered(const HlsSegment& segment, WallClock::time_point now) {
    recent_.push_back({segment.sequence, segment.uri, segment.programDateTime});
    if (recent_.size() > kRemembered) {
        recent_.erase(recent_.begin());
    }
    lastDelivered_ = now;
}

WallClock::time_point HlsTimeline::endOf(const HlsSegment& segment,
                                         WallClock::time_point now) const {
    const auto listed = firstListed_.find(segment.sequence);
    return segmentEnd(segment, listed == firstListed_.end() ? now : listed->second);
}

WallClock::time_point HlsTimeline::startOf(const HlsSegment& segment,
                                           WallClock::time_point now) const {
    return endOf(segment, now) - hlsMillis(segment.duration);
}

}  // namespace confcap::source
