// The disk and bandwidth forecast: how many bytes the rest of a plan writes, how fast at most,
// and when a given free space runs out. Pure functions over jobs and room rates; the disk guard
// (run) and `confcap plan` (app) call them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Time.h"
#include "confcap/plan/Plan.h"

namespace confcap::plan {

/// The rate assumed for a video stream (HLS or progressive) when none was measured or announced,
/// in bit/s: 3 Mbit/s, an HD conference stream.
inline constexpr double kAssumedVideoBitsPerSecond = 3'000'000;
/// The rate assumed for an audio-only stream (see isAudioStream), in bit/s: 192 kbit/s.
inline constexpr double kAssumedAudioBitsPerSecond = 192'000;

/// Where a room's rate came from, best first.
enum class RateSource {
    Measured,   ///< what its recording received lately
    Announced,  ///< the chosen HLS variant's BANDWIDTH, from the pre-flight
    Assumed,    ///< kAssumedVideoBitsPerSecond or kAssumedAudioBitsPerSecond
};

/// "measured", "announced", "assumed". Pure.
const char* toString(RateSource source) noexcept;

/// True when the URL's path ends in an audio file's extension (.mp3, .aac, .m4a, .ogg, .oga,
/// .opus, .flac), any case, before any query or fragment. Pure.
bool isAudioStream(std::string_view streamUrl) noexcept;

/// A room's rate in bit/s and where it came from.
struct RoomRate {
    double bitsPerSecond = 0;
    RateSource source = RateSource::Assumed;
};

/// What is known of the rooms' rates, by room name as the jobs have it.
struct RoomRates {
    std::map<std::string, double> measured;   ///< bit/s received while the room records
    std::map<std::string, double> announced;  ///< bit/s the pre-flight's chosen variant announces
    /// The room's measured rate, else its announced one, else the one assumed for the job's
    /// stream kind. Rates of 0 or less count as unknown. Pure.
    RoomRate rateFor(const Job& job) const;
};

/// The forecast of a set of jobs at a moment. Each job writes its own file, so overlapping
/// windows (back-to-back talks with padding, several rooms) add up.
struct DiskForecast {
    /// Bytes the jobs write from `now` until their windows end.
    std::uint64_t neededBytes = 0;
    /// Bytes the jobs' whole windows write (the whole selection, what has passed included).
    std::uint64_t totalBytes = 0;
    /// The highest rate written at once from `now` on, in bit/s; 0 when nothing is left.
    double peakBitsPerSecond = 0;
    /// Bytes per hour at that peak rate.
    std::uint64_t peakBytesPerHour = 0;
    /// When the last window ends; none without jobs.
    std::optional<core::Instant> end;
    /// What the windows of a room have in common (back-to-back talks' padding), counted once
    /// for each further file it is in, and its bytes: part of totalBytes, which a file system
    /// that shares blocks keeps once.
    core::Seconds overlapSeconds{0};
    std::uint64_t overlapBytes = 0;
};

/// The forecast of `jobs` at `now` (UTC). Pure.
DiskForecast forecastDisk(const std::vector<Job>& jobs, const RoomRates& rates, core::Instant now);

/// What the room tapes of a selection hold: each room's stream from its first window's start
/// through its last window's end, across every break up to `bridge` long, and `bridge` past
/// each stretch (the tape goes on after a room's last talk).
struct TapeForecast {
    core::Seconds seconds{0};  ///< of all rooms together
    /// What the tapes add on disk, at the rooms' rates: what no talk's window covers (the
    /// bridges). The rest they share with the talks' files.
    std::uint64_t bytes = 0;
};

/// The tapes of `jobs` with `bridge` (--tape-bridge). Pure.
TapeForecast forecastTape(const std::vector<Job>& jobs, const RoomRates& rates,
                          core::Seconds bridge);

/// When the jobs, written from `now` on, have used `freeBytes`; nullopt when they fit. Pure.
std::optional<core::Instant> diskRunsOutAt(const std::vector<Job>& jobs, const RoomRates& rates,
                                           core::Instant now, std::uint64_t freeBytes);

/// How the rest of the plan fits, worst last: each level is warned about once as it is reached.
enum class DiskOutlook {
    Fits,                 ///< the free space holds the rest of the plan
    DoesNotFit,           ///< the rest of the plan needs more than is free
    UnderAnHour,          ///< the free space runs out within the hour
    UnderFifteenMinutes,  ///< the free space runs out within 15 minutes
};

/// The outlook at `now` for a disk that runs out at `runsOut` (see diskRunsOutAt; nullopt: it
/// fits). Pure.
DiskOutlook diskOutlook(std::optional<core::Instant> runsOut, core::Instant now) noexcept;

}  // namespace confcap::plan
