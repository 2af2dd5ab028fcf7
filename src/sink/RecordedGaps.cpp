#include "confcap/sink/RecordedGaps.h"

#include <algorithm>
#include <cmath>

namespace confcap::sink {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

RecordedGap recordedGap(TimePoint at, milliseconds length, std::string cause,
                        TimePoint windowStart) {
    RecordedGap gap;
    gap.at = at;
    gap.offset = duration_cast<milliseconds>(at - windowStart);
    gap.length = length;
    gap.cause = std::move(cause);
    return gap;
}

std::optional<RecordedGap> gapWhileNotRunning(TimePoint lastData,
                                              const std::vector<core::HlsResumePoint>& resume,
                                              const core::Chunk& chunk, TimePoint now,
                                              TimePoint windowStart) {
    std::optional<core::HlsResumePoint> point;
    for (const auto& p : resume) {
        if (p.track == 0) {
            point = p;
        }
    }
    if (point && chunk.sequence && *chunk.sequence >= point->nextSequence) {
        const auto skipped = *chunk.sequence - point->nextSequence;
        if (skipped == 0) {
            return std::nullopt;
        }
        auto gap = recordedGap(
            lastData,
            milliseconds(std::llround(static_cast<double>(skipped) * chunk.mediaSeconds * 1000.0)),
            core::gapcause::kNotRunning, windowStart);
        gap.firstSequence = point->nextSequence;
        gap.lastSequence = *chunk.sequence - 1;
        return gap;
    }
    if (now > lastData) {
        return recordedGap(lastData, duration_cast<milliseconds>(now - lastData),
                           core::gapcause::kNotRunning, windowStart);
    }
    return std::nullopt;
}

std::optional<RecordedGap> gapNotRunningToEnd(TimePoint lastData, TimePoint now,
                                              TimePoint windowStart, TimePoint windowEnd) {
    const auto end = std::min(now, windowEnd);
    if (end <= lastData) {
        return std::nullopt;
    }
    return recordedGap(lastData, duration_cast<milliseconds>(end - lastData),
                       core::gapcause::kNotRunning, windowStart);
}

}  // namespace confcap::sink
