#include "confcap/app/ScheduleLoader.h"

#include <date/tz.h>

#include "confcap/core/Error.h"
#include "confcap/fetch/ScheduleSource.h"
#include "confcap/schedule/ScheduleParser.h"

namespace confcap::app {

schedule::Schedule loadSchedule(const Arguments& arguments, std::ostream& err) {
    const auto source = arguments.value("schedule");
    if (!source) {
        throw core::UsageError(
            "No schedule given; name one with --schedule URL or --schedule FILE.");
    }
    schedule::ParseOptions parseOptions{*source, arguments.value("timezone")};
    if (parseOptions.timeZone) {
        try {
            date::locate_zone(*parseOptions.timeZone);
        } catch (const std::runtime_error&) {
            throw core::UsageError("--timezone '" + *parseOptions.timeZone +
                                   "' is not an IANA time zone such as Europe/Berlin.");
        }
    }
    fetch::ScheduleSource::Options fetchOptions;
    fetchOptions.cacheDir = arguments.value("cache-dir").value_or("");
    fetchOptions.caFile = arguments.value("ca-file").value_or("");
    // Only bytes that parse as a schedule may replace the cached copy; what the check parsed is
    // kept so the same bytes are not parsed twice.
    std::optional<schedule::Schedule> validated;
    std::string validatedBytes;
    fetch::ScheduleSource scheduleSource(*source, fetchOptions, [&](std::string_view bytes) {
        validated = schedule::parseSchedule(bytes, parseOptions);
        validatedBytes = bytes;
    });
    const auto fetched = scheduleSource.fetch();
    if (fetched.warning) {
        err << "confcap: warning: " << *fetched.warning << "\n";
    }
    auto parsed = validated && validatedBytes == fetched.bytes
                      ? std::move(*validated)
                      : schedule::parseSchedule(fetched.bytes, parseOptions);
    for (const auto& warning : parsed.warnings) {
        err << "confcap: warning: " << warning << "\n";
    }
    return parsed;
}

}  // namespace confcap::app
