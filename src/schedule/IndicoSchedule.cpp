#include "confcap/schedule/IndicoSchedule.h"

#include <Poco/JSON/Array.h>

#include <date/tz.h>

#include <algorithm>
#include <map>
#include <set>

#include "confcap/core/Error.h"
#include "confcap/schedule/JsonFields.h"
#include "confcap/schedule/ScheduleBuilder.h"
#include "confcap/schedule/ScheduleTime.h"

namespace confcap::schedule {

namespace {

using Poco::JSON::Object;

/// The object's members in key order (Indico keys its days by YYYYMMDD and its entries by
/// their kind and id).
std::vector<std::pair<std::string, Object::Ptr>> members(const Object& object) {
    std::vector<std::pair<std::string, Object::Ptr>> out;
    for (const auto& [key, value] : object) {
        if (isObject(value)) {
            out.emplace_back(key, value.extract<Object::Ptr>());
        }
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

/// "20240513" as "2024-05-13"; empty when it is not eight digits.
std::string isoDate(const std::string& key) {
    if (key.size() != 8 || !std::all_of(key.begin(), key.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        })) {
        return {};
    }
    return key.substr(0, 4) + "-" + key.substr(4, 2) + "-" + key.substr(6, 2);
}

class IndicoReader {
public:
    IndicoReader(const ParseOptions& options, ScheduleBuilder& builder, std::string site,
                 std::vector<std::string> dates)
        : options_(options), builder_(builder), site_(std::move(site)), dates_(std::move(dates)) {}

    /// The entries Indico lists under `date` of `event`. A session block that ends on a later
    /// date is listed under both: an entry is read once, on the day it starts.
    void day(const std::string& event, const std::string& date, const Object& entries) {
        for (const auto& [key, entry] : members(entries)) {
            this->entry(event, date, *entry, nullptr);
        }
    }

private:
    void entry(const std::string& event, const std::string& listedOn, const Object& entry,
               const Object* session) {
        const auto type = field(entry, "entryType");
        const auto id = field(entry, "id");
        if (type == "Break" || (!id.empty() && !seen_.insert(event + "/" + id).second)) {
            return;
        }
        const auto children = entry.getObject("entries");
        if (type == "Session" && children && children->size() > 0) {
            for (const auto& [key, child] : members(*children)) {
                this->entry(event, listedOn, *child, &entry);
            }
            return;
        }
        Talk talk;
        talk.id = type == "Session" ? std::string() : field(entry, "contributionId");
        if (talk.id.empty()) {
            talk.id = field(entry, "id");
        }
        talk.title = field(entry, "title");
        if (const auto slot = field(entry, "slotTitle"); type == "Session" && !slot.empty()) {
            talk.subtitle = slot;
        }
        talk.abstract = field(entry, "description");
        talk.type = type;
        talk.url = absolute(field(entry, "url"));
        if (session != nullptr) {
            talk.track = field(*session, "title");
        }
        readPersons(entry, type == "Session" ? "conveners" : "presenters", talk);
        auto room = field(entry, "room");
        if (room.empty() && session != nullptr) {
            room = field(*session, "room");
        }
        if (room.empty()) {
            room = field(entry, "location");
        }
        talk.room = builder_.addRoom(room).name;
        talk.dayDate = listedOn;
        if (const auto startDate = entry.getObject("startDate")) {
            if (const auto date = field(*startDate, "date");
                std::find(dates_.begin(), dates_.end(), date) != dates_.end()) {
                talk.dayDate = date;
            }
        }
        talk.day = static_cast<int>(std::find(dates_.begin(), dates_.end(), talk.dayDate) -
                                    dates_.begin() + 1);
        const auto start = instantOf(entry.getObject("startDate"));
        const auto end = instantOf(entry.getObject("endDate"));
        if (!start) {
            builder_.skipTalk(talk, "its startDate is not a date, time and zone");
            return;
        }
        if (!end || *end < *start) {
            builder_.skipTalk(talk, "its endDate is not a date and time after its start");
            return;
        }
        if (talk.room.empty()) {
            builder_.skipTalk(talk, "it has no room");
            return;
        }
        talk.start = *start;
        talk.duration = std::chrono::duration_cast<core::Seconds>(*end - *start);
        builder_.addTalk(std::move(talk));
    }

    void readPersons(const Object& entry, const char* key, Talk& talk) const {
        const auto people = entry.getArray(key);
        for (std::size_t i = 0; people && i < people->size(); ++i) {
            const auto person = people->getObject(static_cast<unsigned>(i));
            if (!person) {
                continue;
            }
            auto name = field(*person, "name");
            if (name.empty()) {
                name = field(*person, "firstName") + " " + field(*person, "familyName");
            }
            if (name.find_first_not_of(' ') != std::string::npos) {
                talk.persons.push_back({name, field(*person, "id")});
            }
        }
    }

    /// Indico writes its links relative to the site.
    std::string absolute(std::string url) const {
        return !url.empty() && url.front() == '/' && !site_.empty() ? site_ + url : url;
    }

    /// {"date": "2024-05-13", "time": "09:00:00", "tz": "Europe/Zurich"}.
    std::optional<core::Instant> instantOf(const Object::Ptr& when) {
        if (!when) {
            return std::nullopt;
        }
        const auto local = parseLocalDateTime(field(*when, "date") + "T" + field(*when, "time"));
        if (!local) {
            return std::nullopt;
        }
        const auto tz = field(*when, "tz");
        const auto* zone = timeIn(tz);
        if (builder_.conference().timeZone.empty()) {
            builder_.conference().timeZone = zone->zoneName();
        }
        return zone->toUtc(*local);
    }

    /// The zone an entry names, located once; --timezone when it names none or one the zone
    /// database does not know. Throws core::ScheduleError naming the source when neither is
    /// usable: no time of the export could be placed.
    const ScheduleTime* timeIn(const std::string& tz) {
        auto found = zones_.find(tz);
        if (found == zones_.end()) {
            ScheduleTime time(options_.source, tz, options_.timeZone);
            time.toUtc(date::local_seconds{});  // throws when no usable zone is known
            if (!time.warning().empty()) {
                builder_.warn(time.warning());
            }
            found = zones_.emplace(tz, std::move(time)).first;
        }
        return &found->second;
    }

    const ParseOptions& options_;
    ScheduleBuilder& builder_;
    std::string site_;
    std::vector<std::string> dates_;
    std::map<std::string, ScheduleTime> zones_;
    std::set<std::string> seen_;  ///< event/entry ids read
};

/// "https://indico.example" of the API answer's "url" (the request it answered).
std::string siteOf(const Object& document) {
    const auto url = field(document, "url");
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        return {};
    }
    return url.substr(0, url.find('/', scheme + 3));
}

}  // namespace

bool isIndicoExport(const Poco::JSON::Object& document) {
    return document.has("results") && isObject(document.get("results"));
}

Schedule parseIndicoSchedule(const Poco::JSON::Object& document, const ParseOptions& options) {
    const auto events = members(*document.getObject("results"));
    if (events.empty()) {
        throw core::ScheduleError(options.source +
                                  " is an Indico export without an event: its \"results\" are "
                                  "empty (is the event's timetable public?).");
    }
    ScheduleBuilder builder("Indico JSON");
    builder.conference().title = "Indico event " + events.front().first;
    std::set<std::string> dates;
    for (const auto& [id, days] : events) {
        for (const auto& [key, entries] : members(*days)) {
            if (const auto date = isoDate(key); !date.empty()) {
                dates.insert(date);
            } else {
                builder.warn("The day \"" + key + "\" of " + options.source +
                             " is not a date (YYYYMMDD); its entries were left out.");
            }
        }
    }
    builder.conference().dayDates.assign(dates.begin(), dates.end());
    IndicoReader reader(options, builder, siteOf(document), builder.conference().dayDates);
    for (const auto& [id, days] : events) {
        for (const auto& [key, entries] : members(*days)) {
            if (const auto date = isoDate(key); !date.empty()) {
                reader.day(id, date, *entries);
            }
        }
    }
    return builder.finish();
}

}  // namespace confcap::schedule
