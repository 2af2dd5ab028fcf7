// The schedule.json parser (Poco::JSON) for frab and pretalx v1 (events under
// schedule.conference.days[].rooms{name: [events]}) and c3voc "schedule2" (flat schedule.events[]
// with ISO start and end), and EMF Camp's item list (EmfSchedule.h). Reached through
// parseSchedule() when the bytes look like JSON.
#pragma once

#include <string_view>
#include <utility>

#include "confcap/schedule/Schedule.h"
#include "confcap/schedule/ScheduleParser.h"

namespace confcap::schedule {

/// Parses one JSON document into a Schedule. Holds only its options; any thread may call parse().
class JsonScheduleParser {
public:
    explicit JsonScheduleParser(ParseOptions options) : options_(std::move(options)) {}

    /// Parses `bytes` as schedule.json: format "frab JSON" (frab and pretalx v1),
    /// "schedule2 JSON", or "EMF JSON" when the document is a list. Throws core::ScheduleError
    /// naming the source when the bytes are not valid JSON, are JSON but not a schedule, or when a
    /// time zone is needed and unknown (see ScheduleTime). A bad event is skipped and reported in
    /// Schedule::warnings.
    Schedule parse(std::string_view bytes) const;

private:
    ParseOptions options_;
};

}  // namespace confcap::schedule
