// Indico's timetable export (`/export/timetable/ID.json`, its HTTP API): {"results": {"EVENT":
// {"YYYYMMDD": {"KEY": entry}}}}. An entry is a contribution ("entryType": "Contribution"), a
// session block ("Session", its contributions under "entries") or a break; times are
// "startDate"/"endDate": {"date", "time", "tz"}. Reached through parseSchedule() when a JSON
// object has "results".
#pragma once

#include <Poco/JSON/Object.h>

#include "confcap/schedule/Schedule.h"
#include "confcap/schedule/ScheduleParser.h"

namespace confcap::schedule {

/// Whether a JSON object is an Indico HTTP API answer (it has a "results" object).
bool isIndicoExport(const Poco::JSON::Object& document);

/// Reads Indico's timetable: format "Indico JSON". Every contribution is a talk, in its session's
/// room (and with the session's title as its track) when it names none; a session block without
/// contributions is one talk; breaks are left out. Times are read in the zone each entry names
/// ("tz"), else --timezone. The days are the export's dates. An entry without a readable start,
/// end or room is skipped and reported in Schedule::warnings. Throws core::ScheduleError naming
/// the source when the export holds no event.
Schedule parseIndicoSchedule(const Poco::JSON::Object& document, const ParseOptions& options);

}  // namespace confcap::schedule
