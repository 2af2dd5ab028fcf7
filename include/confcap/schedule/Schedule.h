// The schedule model: a conference, its rooms and its talks, with every time a UTC instant.
// Produced by the parsers in ScheduleParser.h; read by selection, planning and listing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcap/core/Time.h"

namespace confcap::schedule {

struct Conference {
    std::string title;
    std::string acronym;
    /// IANA zone the schedule names (time_zone_name), or the one the user gave; may be empty.
    std::string timeZone;
    /// Local calendar dates of the conference days, as printed in the schedule (YYYY-MM-DD).
    std::vector<std::string> dayDates;
};

struct Room {
    std::string name;
    std::string guid;  ///< empty when the schedule gives none
    std::string slug;  ///< room@slug (FOSDEM 2025+) or derived from the name (FOSDEM rules)
};

struct Person {
    std::string name;
    std::string id;
};

struct Talk {
    std::string id;    ///< event@id; not unique in merged or pretalx schedules
    std::string guid;  ///< event@guid; may be a legacy non-UUID string, or empty (pentabarf)
    std::string code;  ///< pretalx submission code, or empty
    std::string slug;
    std::string title;
    std::string subtitle;
    std::string room;      ///< the room's name as in room@name (falls back to <event><room>)
    std::string roomGuid;  ///< room@guid when the schedule gives one
    std::string track;
    std::string type;
    std::string language;
    std::string abstract;
    std::string url;
    std::vector<Person> persons;
    core::Instant start;  ///< UTC
    core::Seconds duration{0};
    int day = 0;               ///< the schedule's day index (1-based) the talk is listed under
    std::string dayDate;       ///< that day's date as printed in the schedule (YYYY-MM-DD)
    bool doNotRecord = false;  ///< recording optout / do_not_record
    bool doNotStream = false;  ///< do_not_stream

    core::Instant end() const { return start + duration; }
    /// The stable identity used to follow a talk across schedule versions: guid, else id.
    const std::string& key() const { return guid.empty() ? id : guid; }
};

struct Schedule {
    Conference conference;
    std::vector<Room> rooms;
    /// In the order the schedule lists them (which is not always time order).
    std::vector<Talk> talks;
    /// One sentence per event that was skipped or repaired while parsing, naming the event.
    std::vector<std::string> warnings;
    /// Which dialect the parser recognized, e.g. "frab XML", "pentabarf XML", "frab JSON".
    std::string format;

    /// The room with this name or guid, case-insensitively, or nullptr.
    const Room* findRoom(std::string_view nameOrGuid) const;
};

}  // namespace confcap::schedule
