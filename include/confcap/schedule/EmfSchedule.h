// EMF Camp's own schedule JSON (https://www.emfcamp.org/schedule/2024.json): a list of items with
// start_date and end_date in local time (Europe/London) or RFC 3339, venue, title, speaker, id,
// slug, type, link and video_privacy. Reached through parseSchedule() when a JSON document is a
// list.
#pragma once

#include <Poco/JSON/Array.h>

#include "confcap/schedule/Schedule.h"
#include "confcap/schedule/ScheduleParser.h"

namespace confcap::schedule {

/// The zone EMF's local times are in, unless the user gives another with --timezone.
inline constexpr const char* kEmfTimeZone = "Europe/London";

/// Reads EMF's item list: format "EMF JSON". Days are the items' local dates in order. An item
/// whose video_privacy is "none" is opted out of recording. An item without a readable start and
/// end is skipped and reported in Schedule::warnings. Throws core::ScheduleError naming the
/// source when no item is an EMF schedule item (so that another list is not taken for one).
Schedule parseEmfSchedule(const Poco::JSON::Array& items, const ParseOptions& options);

}  // namespace confcap::schedule
