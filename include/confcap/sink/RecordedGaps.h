// How a talk sink records its gaps: a loss placed in the talk's window, and the time no confcap
// ran while the window was open (a crash or a stop before a continued recording). Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "confcap/core/Media.h"
#include "confcap/sink/Recording.h"

namespace confcap::sink {

/// A loss of `length` from `at` (UTC) of `cause`, its offset from `windowStart`. Pure.
RecordedGap recordedGap(std::chrono::system_clock::time_point at, std::chrono::milliseconds length,
                        std::string cause, std::chrono::system_clock::time_point windowStart);

/// The "not running" gap a continued recording records when its first new data, `chunk`, is
/// written at `now`; the earlier run's last data was at `lastData`, and `resume` are the resume
/// points it left. An HLS stream that still lists the next segment lost the segments skipped
/// (nothing when it is the next one); otherwise the time from `lastData` to `now` is lost.
/// Pure.
std::optional<RecordedGap> gapWhileNotRunning(std::chrono::system_clock::time_point lastData,
                                              const std::vector<core::HlsResumePoint>& resume,
                                              const core::Chunk& chunk,
                                              std::chrono::system_clock::time_point now,
                                              std::chrono::system_clock::time_point windowStart);

/// The "not running" gap of a continued recording that ends at `now` without new data: from
/// `lastData` to `now` or the window's end, whichever is first; none when that is not later.
/// Pure.
std::optional<RecordedGap> gapNotRunningToEnd(std::chrono::system_clock::time_point lastData,
                                              std::chrono::system_clock::time_point now,
                                              std::chrono::system_clock::time_point windowStart,
                                              std::chrono::system_clock::time_point windowEnd);

}  // namespace confcap::sink
