// The run as Prometheus metrics, the document behind /metrics: each talk's state and counters,
// whether each room is inside a talk's window and how long it has received nothing, the talks by
// outcome, the schedule refreshes and the hooks run for finished talks. Text exposition format
// 0.0.4.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/run/ScheduleRefresher.h"
#include "confcap/status/StatusBoard.h"

namespace confcap::status {

/// The Content-Type of metricsText().
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

/// What a run counts beside its jobs.
struct RunCounters {
    /// The schedule refreshes; none when nothing refreshes the schedule (then the schedule
    /// metrics are left out).
    std::optional<run::ScheduleRefresher::Counts> refreshes;
    /// How often the schedule is re-read (--refresh); 0 when only on request.
    std::chrono::seconds refreshPeriod{0};
    /// The hooks run for finished talks, by how they ended ("ok", "failed", "timed-out"...).
    std::map<std::string, std::uint64_t> hooks;
    /// The output folder's disk as the disk guard saw it last; none without one (then the disk
    /// metrics are left out).
    std::optional<run::DiskSnapshot> disk;
    /// The rooms' tapes as the recorder told them last.
    std::vector<run::TapeSnapshot> tapes;
};

/// `value` as a label value between double quotes: backslash, double quote and line feed
/// escaped, invalid UTF-8 replaced by U+FFFD. Pure.
std::string escapeLabelValue(std::string_view value);

/// The metrics document (see the README's table):
///   confcap_talk_state{room,talk,id,state} 1          one series per talk, its state now
///   confcap_talk_bytes{room,talk,id}                  bytes written
///   confcap_talk_covered_seconds{room,talk,id}        media time received
///   confcap_talk_gap_seconds{room,talk,id}            time lost to gaps
///   confcap_talk_reconnects_total{room,talk,id}       reconnects
///   confcap_talk_seconds_since_last_byte{room,talk,id}  once bytes arrived
///   confcap_room_in_window{room}                      1 while a talk of the room is in its window
///   confcap_room_seconds_since_last_byte{room}        see below
///   confcap_talks_finished{outcome}                   talks by outcome, every outcome listed
///   confcap_schedule_refreshes_total, confcap_schedule_refresh_failures_total,
///   confcap_schedule_last_refresh_timestamp_seconds, confcap_schedule_refresh_interval_seconds
///   confcap_hooks_total{result}
///   confcap_disk_free_bytes, confcap_disk_needed_bytes, confcap_disk_min_free_bytes
///                                                     the output folder's disk (see DiskGuard)
///   confcap_tape_bytes{room}, confcap_tape_writing{room}  each room's tape (see RoomTape)
/// A room is in a window while one of its talks is between its window's start and end and has
/// not been skipped, cancelled, interrupted, recorded or discarded (a talk that failed inside its
/// window keeps the room in it). A room's seconds since the last byte count from the last byte
/// any of its talks received, but inside a window from no earlier than the window's start; a
/// room outside any window that never received a byte has none. Pure.
std::string metricsText(const std::vector<JobSnapshot>& jobs, const RunCounters& run,
                        std::chrono::system_clock::time_point now);

}  // namespace confcap::status
