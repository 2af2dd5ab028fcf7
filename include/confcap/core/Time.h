// Instants and durations as the whole program uses them: UTC instants, zones only at the edges.
// Also parsing and printing of user-written durations such as "90s" or "1h30m".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

namespace confcap::core {

/// A UTC instant with one-second resolution (schedule times, windows).
using Instant = date::sys_seconds;
/// A span of whole seconds.
using Seconds = std::chrono::seconds;

/// Parses a user-written duration: "90", "90s", "5m", "1h30m", "2h", "1h30m15s", "1d".
/// A bare number is seconds. Throws UsageError naming `text` when it is malformed or negative.
Seconds parseDuration(std::string_view text);

/// A duration as seconds with their fraction. Pure.
inline double secondsIn(std::chrono::system_clock::duration d) noexcept {
    return std::chrono::duration<double>(d).count();
}

/// Formats a duration compactly for people: "45s", "5m", "1h30m", "1h0m5s". Pure.
std::string formatDuration(Seconds d);

/// RFC 3339 in UTC with a trailing Z, e.g. "2024-12-27T10:30:00Z". Pure.
std::string formatUtc(Instant t);

/// Parses ISO 8601 / RFC 3339 with a zone: "2024-12-27T10:30:00+01:00", "...Z", fractional
/// seconds dropped. Returns nullopt when there is no offset, the offset lies beyond ±23:59, or
/// the text is malformed.
std::optional<Instant> parseIsoInstant(std::string_view text);

}  // namespace confcap::core
