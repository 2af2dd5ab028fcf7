// How copies of one talk that replicas recorded are merged into one file, decided from what is
// known of them and touching nothing: by HLS segment (which copy supplies which segment, and
// which segments no copy holds), by the timestamps of progressive MPEG-TS (which copy supplies
// which stretch of media time, and the holes), or one copy taken whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
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

/// A stretch of a progressive MPEG-TS file from one PES start of its main PID to the next.
struct TsUnit {
    std::uint64_t offset = 0;
    std::uint64_t end = 0;
    double at = 0;  ///< its DTS, else PTS, in seconds
    bool operator==(const TsUnit&) const = default;
};

/// A stretch of media time, in seconds of the streams' own timestamps (DTS, else PTS).
struct TimeRun {
    std::size_t copy = 0;  ///< the copy that supplied it (for a gap: unused)
    double from = 0;
    double to = 0;
    bool operator==(const TimeRun&) const = default;
};

/// One unit to write: units[copy][unit].
struct TimePick {
    std::size_t copy = 0;
    std::size_t unit = 0;
    bool operator==(const TimePick&) const = default;
};

/// The plan for progressive MPEG-TS copies merged by timestamp.
struct TimePlan {
    std::vector<TimePick> picks;  ///< the units to write, in order
    std::vector<TimeRun> runs;    ///< which copy supplied which media time
    std::vector<TimeRun> gaps;    ///< the holes no copy fills
    std::vector<double> secondsByCopy;
};

/// A step between consecutive timestamps larger than this (seconds) is a hole in a copy.
inline constexpr double kTimeHoleSeconds = 0.5;

/// Plans the merge of progressive MPEG-TS copies from their units (each in file order). It
/// starts with the copy whose media starts first and follows it; where its timestamps jump by
/// more than kTimeHoleSeconds (or it ends), the copy whose next unit comes soonest after the
/// last one taken fills the jump, when that is before this copy goes on. A jump no copy fills
/// is a gap (from the last unit's time plus a frame). Pure.
TimePlan planByTime(const std::vector<std::vector<TsUnit>>& units);

/// What planning needs to know of one copy.
struct CopyFacts {
    /// The main stream's segments in the copy's file; empty when it cannot be cut by segment.
    std::vector<SegmentMark> segments;
    bool progressiveTs = false;  ///< one MPEG-TS file without segments: cut by timestamp
    double coveredSeconds = 0;
};

/// How one talk's copies are merged.
enum class MergeMethod {
    BySegment,    ///< two or more copies hold segments: segment by segment (MergePlan)
    ByTimestamp,  ///< every copy (two or more) is progressive MPEG-TS (planByTime)
    Whole,        ///< otherwise: the copy that covers the most (the first of equals) whole
};

/// The decision for one talk's copies.
struct ReplicaPlan {
    MergeMethod method = MergeMethod::Whole;
    /// BySegment: the plan, its copies indexing all copies (those without segments supply
    /// nothing); ByTimestamp: only secondsByCopy sized, to be filled by planByTime.
    MergePlan segments;
    std::size_t source = 0;          ///< Whole: the copy taken
    std::vector<std::string> notes;  ///< sentences for the person merging
};

/// Decides how `copies` (of one talk, at least one) are merged. Pure.
ReplicaPlan planReplicas(const std::vector<CopyFacts>& copies);

}  // namespace confcap::sink
