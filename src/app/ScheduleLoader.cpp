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
    auto fetched = source_->fetch();
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
                      : schedule::parseScheduleInPlace(std::move(fetched.bytes), parseOptions);
    validated_.reset();
    validatedBytes_.clear();
    for (const auto& warning : parsed.warnings) {
        err << "confcap: warning: " << warning << "\n";
    }
    return parsed;
}

bool FavouritesReader::read(const Arguments& arguments, std::ostream& err) {
    const auto given = arguments.values("favourites");
    fetch::ScheduleSource::Options fetchOptions;
    fetchOptions.cacheDir = arguments.value("cache-dir").value_or("");
    fetchOptions.caFile = arguments.value("ca-file").value_or("");
    fetchOptions.what = "favourites list";
    std::string key = fetchOptions.cacheDir.string() + "\n" + fetchOptions.caFile;
    for (const auto& source : given) {
        key += "\n" + source;
    }
    const bool first = key != key_;
    if (first) {
        sources_.clear();
        for (const auto& source : given) {
            sources_.push_back(select::isInlineFavourites(source)
                                   ? nullptr
                                   : std::make_unique<fetch::ScheduleSource>(
                                         source, fetchOptions, [source](std::string_view bytes) {
                                             select::parseFavourites(bytes, source);
                                         }));
        }
        key_ = key;
    }
    bool changed = first;
    std::vector<select::FavouriteList> lists;
    for (std::size_t i = 0; i < given.size(); ++i) {
        if (!sources_[i]) {
            lists.push_back(select::parseFavourites(given[i], given[i]));
            continue;
        }
        const auto fetched = sources_[i]->fetch();
        if (fetched.warning) {
            err << "confcap: warning: " << *fetched.warning << "\n";
        }
        changed = changed || fetched.changed;
        lists.push_back(select::parseFavourites(fetched.bytes, given[i]));
    }
    if (changed) {
        const auto schedule = arguments.value("schedule");
        for (const auto& list : lists) {
            for (const auto& warning : list.warnings) {
                err << "confcap: warning: " << warning << "\n";
            }
            if (!list.scheduleUrl.empty() && schedule && *schedule != list.scheduleUrl) {
                err << "confcap: warning: the Giggity link " << list.source
                    << " was made for the schedule " << list.scheduleUrl
                    << "; its talks are looked up in " << *schedule << ".\n";
            }
        }
    }
    lists_ = std::move(lists);
    return changed;
}

Arguments withFavouritesSchedule(Arguments arguments) {
    if (arguments.has("schedule") || arguments.has("conference")) {
        return arguments;
    }
    for (const auto& source : arguments.values("favourites")) {
        if (select::isInlineFavourites(source)) {
            const auto list = select::parseFavourites(source, source);
            if (!list.scheduleUrl.empty()) {
                arguments.add("schedule", list.scheduleUrl);
                break;
            }
        }
    }
    return arguments;
}

schedule::Schedule loadSchedule(const Arguments& arguments, std::ostream& err) {
    ScheduleReader reader;
    return *reader.read(arguments, err);
}

}  // namespace confcap::app
