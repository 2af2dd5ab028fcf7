#include "confcap/app/ScheduleLoader.h"

#include <date/tz.h>

#include "confcap/core/Error.h"
#include "confcap/schedule/ScheduleParser.h"

namespace confcap::app {

std::optional<schedule::Schedule> ScheduleReader::read(const Arguments& arguments,
                                                       std::ostream& err, bool always) {
    const auto location = arguments.value("schedule");
    if (!location) {
        throw core::UsageError(
            "No schedule given; name one with --schedule URL or --schedule FILE.");
    }
    schedule::ParseOptions parseOptions{*location, arguments.value("timezone")};
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
    const auto key = *location + "\n" + fetchOptions.cacheDir.string() + "\n" +
                     fetchOptions.caFile + "\n" + parseOptions.timeZone.value_or("");
    if (!source_ || key != key_) {
        // Only bytes that parse as a schedule may replace the cached copy; what the check
        // parsed is kept so the same bytes are not parsed twice.
        source_ = std::make_unique<fetch::ScheduleSource>(
            *location, fetchOptions, [this, parseOptions](std::string_view bytes) {
                validated_ = schedule::parseSchedule(bytes, parseOptions);
                validatedBytes_ = bytes;
            });
        key_ = key;
    }
    validated_.reset();
    fallback_.reset();
    const auto fetched = source_->fetch();
    if (fetched.fromCache) {
        fallback_ = fetched.warning;
    }
    if (fetched.warning) {
        err << "confcap: warning: " << *fetched.warning << "\n";
    }
    if (!fetched.changed && !always) {
        return std::nullopt;
    }
    auto parsed = validated_ && validatedBytes_ == fetched.bytes
                      ? std::move(*validated_)
                      : schedule::parseSchedule(fetched.bytes, parseOptions);
    validated_.reset();
    validatedBytes_.clear();
    for (const auto& warning : parsed.warnings) {
        err << "confcap: warning: " << warning << "\n";
    }
    return parsed;
}

schedule::Schedule loadSchedule(const Arguments& arguments, std::ostream& err) {
    ScheduleReader reader;
    return *reader.read(arguments, err);
}

}  // namespace confcap::app
