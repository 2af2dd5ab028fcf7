// The conference's local time: turns a day's date and an event's wall-clock <start> into a UTC
// instant in the conference time zone, with the after-midnight rules of Pentabarf and frab.
// Used by the parsers for events that carry no <date>; see schedule-formats.md §4.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

#include "confcap/core/Time.h"

namespace date {
class time_zone;
}

namespace confcap::schedule {

/// Parses a time of day, "HH:MM" or "HH:MM:SS" (hour 0-23, one or two digits), into seconds
/// since midnight. Surrounding white space is ignored. Returns nullopt when malformed. Pure.
std::optional<core::Seconds> parseTimeOfDay(std::string_view text);

/// Parses a calendar date "YYYY-MM-DD" (surrounding white space ignored). Returns nullopt when
/// malformed or not a real date. Pure.
std::optional<date::local_days> parseLocalDate(std::string_view text);

/// Parses a date and time without an offset, "YYYY-MM-DDTHH:MM[:SS]" (a space for the T also
/// accepted), as a wall-clock time. Returns nullopt when malformed. Pure.
std::optional<date::local_seconds> parseLocalDateTime(std::string_view text);

/// The conference zone and the rules that place wall-clock times in it. Immutable once built;
/// any thread may call its const members.
class ScheduleTime {
public:
    /// Picks the conference zone: `scheduleZone` (the schedule's time_zone_name; empty when it
    /// names none), else `userZone` (--timezone), located once. Throws core::ScheduleError naming
    /// `source` when `userZone` is given and is not a known IANA zone, even if the schedule names
    /// its own. An unknown `scheduleZone` is not an error until a local time needs converting;
    /// warning() then says so, and `userZone` is used in its place when given.
    ScheduleTime(std::string source, std::string_view scheduleZone,
                 const std::optional<std::string>& userZone);

    /// The IANA name of the zone in force, or empty when no usable zone is known.
    const std::string& zoneName() const noexcept { return zoneName_; }

    /// One sentence about a schedule zone that could not be used, or empty.
    const std::string& warning() const noexcept { return warning_; }

    /// Converts a local wall-clock time in the conference zone to UTC. A time that does not exist
    /// or exists twice (DST switch) maps to the earliest instant; for a time in the spring-forward
    /// gap that is the moment of the switch. Throws core::ScheduleError naming the source (and
    /// asking for --timezone) when no zone is known.
    core::Instant toUtc(date::local_seconds local) const;

    /// The UTC start of an event listed under the day `day` with the wall-clock `start`. When
    /// `rollover` is given and `start` is earlier than it, the event is on the next calendar day
    /// (Pentabarf day_change, or the time of day@start for frab/pretalx day windows). Throws as
    /// toUtc().
    core::Instant eventStart(date::local_days day, core::Seconds start,
                             std::optional<core::Seconds> rollover) const;

    /// The local time of day at which a day begins, from day@start: an instant with an offset
    /// is read in the conference zone (as written when no zone is known); a value without an
    /// offset is taken as written. Returns nullopt when `dayStart` holds no time. Never throws.
    std::optional<core::Seconds> dayStartTime(std::string_view dayStart) const;

private:
    std::string source_;
    std::string zoneName_;
    std::string warning_;
    std::string missingZoneMessage_;
    const date::time_zone* zone_ = nullptr;
};

}  // namespace confcap::schedule
