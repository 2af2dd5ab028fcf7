// The timeline's model: each talk's window with its covered spans and gaps as a job stands, the
// axis a view spans, and the colour of each gap's cause (drawn by TimelineSvg.cpp).
#include "confcap/status/Timeline.h"

#include <algorithm>

#include "confcap/core/Media.h"
#include "confcap/status/StatusJson.h"

namespace confcap::status {

namespace {

using core::secondsIn;
using std::chrono::seconds;

constexpr std::string_view kWaiting = "waiting";

/// `spans` less every gap, both in order of offset.
std::vector<TimelineSpan> without(TimelineSpan whole, const std::vector<TimelineGap>& gaps) {
    std::vector<TimelineSpan> out;
    double at = whole.offset;
    const double end = whole.offset + whole.seconds;
    for (const auto& gap : gaps) {
        if (gap.offset > at) {
            out.push_back({at, std::min(gap.offset, end) - at});
        }
        at = std::max(at, gap.offset + gap.seconds);
        if (at >= end) {
            break;
        }
    }
    if (at < end) {
        out.push_back({at, end - at});
    }
    std::erase_if(out, [](const TimelineSpan& s) { return s.seconds <= 0; });
    return out;
}

void addGap(TimelineTalk& talk, double offset, double length, std::string cause, std::string detail,
            bool open) {
    const double window = secondsIn(talk.until - talk.from);
    const double start = std::max(0.0, offset);
    const double end = std::min(window, offset + length);
    if (end > start) {
        talk.gaps.push_back({start, end - start, std::move(cause), std::move(detail), open});
    }
}

void sortGaps(TimelineTalk& talk) {
    std::stable_sort(talk.gaps.begin(), talk.gaps.end(),
                     [](const auto& a, const auto& b) { return a.offset < b.offset; });
}

}  // namespace

TimelineTalk timelineTalk(const JobSnapshot& job, core::Instant now) {
    TimelineTalk talk;
    talk.key = job.key;
    talk.room = job.room;
    talk.title = job.title;
    talk.from = job.from;
    talk.until = job.until;
    talk.state = stateName(job.state);
    talk.href = recordingUrl(job.file);
    for (const auto& gap : job.gapSpans) {
        addGap(talk, secondsIn(gap.at - job.from), secondsIn(gap.length), gap.cause, gap.detail,
               false);
    }
    const double window = secondsIn(job.until - job.from);
    const double elapsed = std::clamp(secondsIn(now - job.from), 0.0, window);
    if (isActive(job.state) && job.state != JobState::Finalizing) {
        if (!job.lastData) {
            addGap(talk, 0, elapsed, core::gapcause::kNotLiveYet, job.reason, true);
        } else if (job.state == JobState::Retrying) {
            const double since = secondsIn(*job.lastData - job.from);
            addGap(talk, since, elapsed - since, core::gapcause::kOutage, job.reason, true);
        }
    } else if (job.state == JobState::Waiting && elapsed > 0) {
        const bool disk = job.reason.find("disk") != std::string::npos;
        addGap(talk, 0, elapsed, disk ? core::gapcause::kDiskFull : std::string(kWaiting),
               job.reason, true);
    }
    sortGaps(talk);
    if (!job.lastData && job.bytes == 0) {
        return talk;
    }
    double end = isFinal(job.state) || job.state == JobState::Finalizing ? window : elapsed;
    if (job.state == JobState::Interrupted && job.lastData) {
        end = std::clamp(secondsIn(*job.lastData - job.from), 0.0, window);
    }
    talk.covered = without({0, end}, talk.gaps);
    return talk;
}

void fillFinished(TimelineTalk& talk, bool hasMedia) {
    std::vector<TimelineGap> gaps;
    gaps.swap(talk.gaps);
    for (auto& gap : gaps) {
        addGap(talk, gap.offset, gap.seconds, std::move(gap.cause), std::move(gap.detail), false);
    }
    sortGaps(talk);
    talk.covered.clear();
    if (hasMedia) {
        talk.covered = without({0, secondsIn(talk.until - talk.from)}, talk.gaps);
    }
}

TimelineView timelineView(const std::vector<TimelineTalk>& talks, core::Instant now,
                          std::optional<int> hours) {
    TimelineView view;
    view.now = now;
    if (hours && *hours > 0) {
        const auto back = std::chrono::hours(*hours);
        view.start = now - back;
        view.end = now + std::chrono::duration_cast<seconds>(back) / 6;
        return view;
    }
    if (talks.empty()) {
        view.start = now - std::chrono::minutes(30);
        view.end = now + std::chrono::minutes(30);
        return view;
    }
    view.start = talks.front().from;
    view.end = talks.front().until;
    for (const auto& talk : talks) {
        view.start = std::min(view.start, talk.from);
        view.end = std::max(view.end, talk.until);
    }
    if (view.end <= view.start) {
        view.end = view.start + std::chrono::minutes(1);
    }
    return view;
}

std::string_view gapColour(std::string_view cause) noexcept {
    namespace causes = core::gapcause;
    if (cause == causes::kNotLiveYet) {
        return "#9e9e9e";
    }
    if (cause == causes::kOutage) {
        return "#e53935";
    }
    if (cause == causes::kRestarted) {
        return "#fb8c00";
    }
    if (cause == causes::kPaused) {
        return "#fdd835";
    }
    if (cause == causes::kRolledOut || cause == causes::kSegmentFailed) {
        return "#8e24aa";
    }
    if (cause == causes::kDiskFull) {
        return "#6d4c41";
    }
    if (cause == causes::kNotRunning) {
        return "#263238";
    }
    if (cause == kWaiting) {
        return "#cfd8dc";
    }
    return "#ec407a";
}

}  // namespace confcap::status
