// Which copy of a talk supplies which HLS segment when replicas that recorded the same stream
// are merged into one file, and which segments no copy holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "confcap/sink/PartSet.h"

namespace confcap::sink {

/// A run of consecutive segments taken from one copy.
struct MergeRun {
    std::size_t copy = 0;  ///< index into the copies planned
    std::int64_t firstSequence = 0;
    std::int64_t lastSequence = 0;
    double seconds = 0;  ///< the media time of the run's segments
    bool operator==(const MergeRun&) const = default;
};

/// Segments that no copy holds.
struct MergeGap {
    std::int64_t firstSequence = 0;
    std::int64_t lastSequence = 0;
    /// An estimate: the missing segments times the copies' median segment length.
    double seconds = 0;
    bool operator==(const MergeGap&) const = default;
};

/// The plan for one talk: the runs in sequence order, and the gaps between them.
struct MergePlan {
    std::vector<MergeRun> runs;
    std::vector<MergeGap> gaps;
    /// The media time each copy supplies (indexed like the copies).
    std::vector<double> secondsByCopy;
};

/// Plans the merge of copies of one talk from their segment lists (each in any order; a
/// sequence listed twice in one copy counts once). Every sequence from the lowest to the
/// highest any copy holds is taken from the copy that supplied the one before when it holds
/// it, else from the first copy that does (so the file switches copies as seldom as it can);
/// a sequence no copy holds is a gap. Pure.
MergePlan planMerge(const std::vector<std::vector<SegmentMark>>& copies);

}  // namespace confcap::sink
