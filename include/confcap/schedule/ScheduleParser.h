// Parsers for every schedule dialect in use: frab / pretalx / c3voc hub / Pentabarf / FOSDEM XML
// and frab / pretalx / c3voc / EMF Camp / Indico JSON. The dialect is detected from the content,
// never the file name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "confcap/schedule/Schedule.h"

namespace confcap::schedule {

struct ParseOptions {
    /// The name shown in errors: the file path or URL the bytes came from.
    std::string source;
    /// IANA zone used only where the schedule names none (--timezone).
    std::optional<std::string> timeZone;
};

/// Parses schedule bytes of any supported dialect. Pure; callable from any thread.
/// Throws core::ScheduleError with one sentence naming `options.source` (and the line or event
/// where known) when the bytes are not a schedule, are malformed, or need a time zone that
/// neither the schedule nor `options.timeZone` gives; or when `options.timeZone` is unknown.
/// A single bad event is skipped and reported in Schedule::warnings.
Schedule parseSchedule(std::string_view bytes, const ParseOptions& options);

/// parseSchedule() for bytes the caller gives up: an XML schedule is parsed in place instead of
/// in a copy of the whole document. Same result and errors; what `bytes` holds afterwards is
/// unspecified.
Schedule parseScheduleInPlace(std::string&& bytes, const ParseOptions& options);

/// Parses a schedule duration: "HH:MM", "H:MM", "D:HH:MM" (>= 24 h), "HH:MM:SS" where the
/// value cannot be D:HH:MM, a bare number of minutes. Returns nullopt when malformed. Pure.
/// A 3-part value A:B:C is ambiguous between H:MM:SS (XSD, fosdem-companion) and D:HH:MM
/// (pretalx, EMF). It is read as H:MM:SS when B > 23 (it cannot be an hour), when A is 0, or
/// when A is written with a leading zero ("01:30:00"); otherwise as D:HH:MM ("1:02:30" is
/// 1 day 2 h 30 min), which is what pretalx and EMF emit. Surrounding white space is ignored.
std::optional<core::Seconds> parseScheduleDuration(std::string_view text);

/// Parses a schedule boolean as xs:boolean and the generators write it: "true", "True", "1",
/// "false", "False", "0" (any letter case; surrounding white space ignored). Returns nullopt for
/// anything else, including empty text. Pure.
std::optional<bool> parseScheduleBool(std::string_view text);

/// Derives the FOSDEM stream slug from a room name: drop a parenthetical, lower-case, keep
/// only ASCII letters and digits ("UA2.118 (Henriot)" -> "ua2118"). Pure.
std::string deriveRoomSlug(std::string_view roomName);

}  // namespace confcap::schedule
