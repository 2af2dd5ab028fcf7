#include "confcap/schedule/EmfSchedule.h"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <set>

#include "confcap/core/Error.h"
#include "confcap/schedule/JsonFields.h"
#include "confcap/schedule/ScheduleBuilder.h"
#include "confcap/schedule/ScheduleTime.h"

namespace confcap::schedule {

namespace {

using Poco::JSON::Object;

bool isEmfItem(const Object& item) {
    return item.has("start_date") && item.has("end_date") && item.has("venue") && item.has("title");
}

class EmfReader {
public:
    EmfReader(const ParseOptions& options, ScheduleBuilder& builder)
        : time_(options.source, options.timeZone ? std::string_view() : kEmfTimeZone,
                options.timeZone),
          builder_(builder) {}

    /// The local dates the items fall on, in order: the schedule's days.
    void days(const std::vector<Object::Ptr>& items) {
        std::set<std::string> dates;
        for (const auto& item : items) {
            const auto start = field(*item, "start_date");
            if (instantOf(start)) {
                dates.insert(start.substr(0, 10));
            }
        }
        dayDates_.assign(dates.begin(), dates.end());
        builder_.conference().dayDates = dayDates_;
        builder_.conference().timeZone = time_.zoneName();
    }

    void item(const Object& item) {
        Talk talk;
        talk.id = field(item, "id");
        talk.slug = field(item, "slug");
        talk.title = field(item, "title");
        talk.type = field(item, "type");
        talk.abstract = field(item, "description");
        talk.url = field(item, "link");
        if (const auto speaker = field(item, "speaker"); !speaker.empty()) {
            talk.persons.push_back({speaker, ""});
        }
        talk.room = builder_.addRoom(field(item, "venue")).name;
        talk.doNotRecord = field(item, "video_privacy") == "none";
        const auto startText = field(item, "start_date");
        const auto endText = field(item, "end_date");
        const auto start = instantOf(startText);
        const auto end = instantOf(endText);
        if (!start) {
            builder_.skipTalk(
                talk, "its start_date " + doubleQuoted(startText) + " is not a date and time");
            return;
        }
        if (!end || *end < *start) {
            builder_.skipTalk(talk, "its end_date " + doubleQuoted(endText) +
                                        " is not a date and time after its start");
            return;
        }
        if (talk.room.empty()) {
            builder_.skipTalk(talk, "it has no venue");
            return;
        }
        // The date as written is the local date, in either form.
        talk.dayDate = startText.substr(0, 10);
        talk.day = static_cast<int>(std::find(dayDates_.begin(), dayDates_.end(), talk.dayDate) -
                                    dayDates_.begin() + 1);
        talk.start = *start;
        // Both ends as instants: a talk across the autumn switch keeps its real length.
        talk.duration = std::chrono::duration_cast<core::Seconds>(*end - *start);
        builder_.addTalk(std::move(talk));
    }

private:
    /// A start_date or end_date: the local time EMF writes ("2024-05-31 10:20:00"), or an
    /// RFC 3339 time with its offset, which some years' exports carry.
    std::optional<core::Instant> instantOf(std::string_view text) const {
        if (auto instant = core::parseIsoInstant(text)) {
            return instant;
        }
        if (auto local = parseLocalDateTime(text)) {
            return time_.toUtc(*local);
        }
        return std::nullopt;
    }

    ScheduleTime time_;
    ScheduleBuilder& builder_;
    std::vector<std::string> dayDates_;
};

}  // namespace

Schedule parseEmfSchedule(const Poco::JSON::Array& items, const ParseOptions& options) {
    std::vector<Object::Ptr> objects;
    std::size_t others = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto object = items.getObject(static_cast<unsigned>(i));
        if (object && isEmfItem(*object)) {
            objects.push_back(object);
        } else {
            ++others;
        }
    }
    if (objects.empty()) {
        throw core::ScheduleError(options.source +
                                  " is JSON but not a schedule: it is a list, and none of its "
                                  "items has the start_date, end_date, venue and title of an "
                                  "EMF schedule item.");
    }
    ScheduleBuilder builder("EMF JSON");
    builder.conference().title = "Electromagnetic Field";
    EmfReader reader(options, builder);
    reader.days(objects);
    for (const auto& object : objects) {
        reader.item(*object);
    }
    if (others > 0) {
        builder.warn(std::to_string(others) + (others == 1 ? " item" : " items") +
                     " of the list are not schedule items (no start_date, end_date, venue and "
                     "title) and were left out.");
    }
    return builder.finish();
}

}  // namespace confcap::schedule
