// The schedule.xml parser (pugixml) for the frab family (frab, pretalx, c3voc hub and merged
// schedules, wafer, EMF) and the Pentabarf family (Pentabarf, FOSDEM from 2007 on).
// Reached through parseSchedule(), which picks it when the bytes look like XML.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "confcap/schedule/Schedule.h"
#include "confcap/schedule/ScheduleParser.h"

namespace confcap::schedule {

/// Parses one XML document into a Schedule. Holds only its options; any thread may call parse().
class XmlScheduleParser {
public:
    explicit XmlScheduleParser(ParseOptions options) : options_(std::move(options)) {}

    /// Parses `bytes` as schedule.xml. Format "pentabarf XML" when the conference has a
    /// day_change or no event or day carries a time with an offset, else "pretalx XML" when the
    /// generator says so, else "frab XML". Throws core::ScheduleError naming the source when the
    /// bytes are not well-formed XML (with the line), an HTML page, XML whose root is not
    /// <schedule>, or when a time zone is needed and unknown (see ScheduleTime). A bad event is
    /// skipped and reported in Schedule::warnings.
    Schedule parse(std::string_view bytes) const;

    /// parse() without a copy of the document: pugixml parses `bytes` where they are, writing
    /// into them. Same result and errors; what `bytes` holds afterwards is unspecified.
    Schedule parseInPlace(std::string&& bytes) const;

private:
    ParseOptions options_;
};

}  // namespace confcap::schedule
