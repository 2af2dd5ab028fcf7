#include "confcap/schedule/JsonScheduleParser.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "confcap/core/Error.h"
#include "confcap/schedule/EmfSchedule.h"
#include "confcap/schedule/IndicoSchedule.h"
#include "confcap/schedule/JsonFields.h"
#include "confcap/schedule/ScheduleBuilder.h"
#include "confcap/schedule/ScheduleTime.h"

namespace confcap::schedule {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

/// A day index, or `fallback` when it is missing or not a number.
int indexOr(const std::string& text, int fallback) {
    int value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && ptr == text.data() + text.size() ? value : fallback;
}

std::vector<Person> personsOf(const Array::Ptr& list) {
    std::vector<Person> persons;
    if (!list) {
        return persons;
    }
    persons.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        const Object::Ptr entry = list->getObject(static_cast<unsigned>(i));
        if (!entry) {
            continue;
        }
        Person person;
        person.name = field(*entry, "public_name");
        if (person.name.empty()) {
            person.name = field(*entry, "name");
        }
        for (const char* key : {"id", "guid", "code"}) {
            if (person.id.empty()) {
                person.id = field(*entry, key);
            }
        }
        persons.push_back(std::move(person));
    }
    return persons;
}

/// Why one event is skipped, thrown out of the code that reads it.
class UnreadableEvent : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct DayWindow {
    int index = 0;
    std::string date;
    std::optional<core::Instant> start;
    std::optional<core::Instant> end;
};

class Reader {
public:
    Reader(const ParseOptions& options, ScheduleBuilder& builder)
        : options_(options), builder_(builder) {}

    void conference(const Object& conference) {
        builder_.conference().title = field(conference, "title");
        builder_.conference().acronym = field(conference, "acronym");
        time_.emplace(options_.source, field(conference, "time_zone_name"), options_.timeZone);
        builder_.conference().timeZone = time_->zoneName();
        if (!time_->warning().empty()) {
            builder_.warn(time_->warning());
        }
        if (const Array::Ptr rooms = conference.getArray("rooms")) {
            for (std::size_t i = 0; i < rooms->size(); ++i) {
                if (const Object::Ptr room = rooms->getObject(static_cast<unsigned>(i))) {
                    builder_.addRoom(field(*room, "name"), field(*room, "guid"),
                                     field(*room, "slug"));
                }
            }
        }
        if (const Array::Ptr tracks = conference.getArray("tracks")) {
            for (std::size_t i = 0; i < tracks->size(); ++i) {
                if (const Object::Ptr track = tracks->getObject(static_cast<unsigned>(i))) {
                    trackNames_.emplace_back(field(*track, "slug"), field(*track, "name"));
                }
            }
        }
    }

    /// frab / pretalx v1: schedule.conference.days[].rooms{"<room name>": [event]}.
    void frabDays(const Array& days) {
        for (std::size_t i = 0; i < days.size(); ++i) {
            const Object::Ptr day = days.getObject(static_cast<unsigned>(i));
            if (!day) {
                continue;
            }
            const int dayIndex = indexOr(field(*day, "index"), static_cast<int>(i) + 1);
            const std::string date = field(*day, "date");
            builder_.conference().dayDates.push_back(date);
            const std::optional<date::local_days> localDate = parseLocalDate(date);
            std::string dayStart = field(*day, "day_start");
            if (dayStart.empty()) {
                dayStart = field(*day, "start");
            }
            const std::optional<core::Seconds> rollover = time_->dayStartTime(dayStart);
            const Object::Ptr rooms = day->getObject("rooms");
            if (!rooms) {
                continue;
            }
            for (const std::string& roomKey : rooms->getNames()) {
                const Room room = builder_.addRoom(roomKey);
                const Array::Ptr events = rooms->getArray(roomKey);
                if (!events) {
                    continue;
                }
                for (std::size_t e = 0; e < events->size(); ++e) {
                    if (const Object::Ptr event = events->getObject(static_cast<unsigned>(e))) {
                        oneEvent(*event, [&] {
                            frabEvent(*event, dayIndex, date, localDate, rollover, room);
                        });
                    }
                }
            }
        }
    }

    /// c3voc schedule2: flat schedule.events[] with ISO start and end.
    void flatEvents(const Object& conference, const Array& events) {
        std::vector<DayWindow> windows;
        if (const Array::Ptr days = conference.getArray("days")) {
            for (std::size_t i = 0; i < days->size(); ++i) {
                const Object::Ptr day = days->getObject(static_cast<unsigned>(i));
                if (!day) {
                    continue;
                }
                DayWindow window;
                window.index = indexOr(field(*day, "index"), static_cast<int>(i) + 1);
                window.date = field(*day, "date");
                window.start = core::parseIsoInstant(field(*day, "start"));
                window.end = core::parseIsoInstant(field(*day, "end"));
                builder_.conference().dayDates.push_back(window.date);
                windows.push_back(std::move(window));
            }
        }
        for (std::size_t e = 0; e < events.size(); ++e) {
            if (const Object::Ptr event = events.getObject(static_cast<unsigned>(e))) {
                oneEvent(*event, [&] { flatEvent(*event, windows); });
            }
        }
    }

private:
    /// Runs `read` on one event; a value Poco cannot convert (a number out of range, say) skips
    /// that event, not the schedule.
    template <typename Read>
    void oneEvent(const Object& event, Read&& read) {
        std::string reason;
        try {
            read();
            return;
        } catch (const UnreadableEvent& e) {
            reason = e.what();
        } catch (const Poco::Exception& e) {
            reason = "one of its fields cannot be read (" + e.displayText() + ")";
        }
        Talk named;
        named.id = field(event, "id");
        named.guid = field(event, "guid");
        named.title = field(event, "title");
        builder_.skipTalk(named, reason);
    }

    Talk commonFields(const Object& event) {
        Talk talk;
        talk.id = field(event, "id");
        talk.guid = field(event, "guid");
        talk.code = field(event, "code");
        talk.slug = field(event, "slug");
        talk.title = field(event, "title");
        talk.subtitle = field(event, "subtitle");
        talk.type = field(event, "type");
        talk.language = field(event, "language");
        talk.abstract = localizedField(event, "abstract");
        talk.url = field(event, "url");
        flag(talk, event, "do_not_record", talk.doNotRecord);
        flag(talk, event, "do_not_stream", talk.doNotStream);
        return talk;
    }

    void flag(const Talk& talk, const Object& event, const std::string& key, bool& out) {
        const Var value = event.get(key);
        if (value.isEmpty() || stringOf(value).empty()) {
            return;
        }
        std::optional<bool> parsed;
        try {
            parsed = boolOf(value);
        } catch (const Poco::RangeException&) {
            parsed.reset();
        }
        if (!parsed && (value.isInteger() || isIntegerOutOfRange(stringOf(value)))) {
            throw UnreadableEvent("its " + key + " " + stringOf(value) + " is out of range");
        }
        if (parsed) {
            out = *parsed;
            return;
        }
        std::string message = describeEvent(talk);
        message.front() = 'E';
        builder_.warn(message + " has " + key + " " + doubleQuoted(stringOf(value)) +
                      ", which is not true or false; it is read as false.");
    }

    /// The start from "date" (ISO, or local without an offset), else day date + "start".
    std::optional<core::Instant> frabStart(Talk& talk, const Object& event,
                                           const std::optional<date::local_days>& localDate,
                                           std::optional<core::Seconds> rollover) {
        const std::string dateText = field(event, "date");
        if (!dateText.empty()) {
            if (auto instant = core::parseIsoInstant(dateText)) {
                return instant;
            }
            if (auto local = parseLocalDateTime(dateText)) {
                return time_->toUtc(*local);
            }
            builder_.skipTalk(
                talk, "its date " + doubleQuoted(dateText) + " is not an ISO 8601 date and time");
            return std::nullopt;
        }
        const std::string startText = field(event, "start");
        if (startText.empty()) {
            builder_.skipTalk(talk, "it has neither a date nor a start");
            return std::nullopt;
        }
        const auto clock = parseTimeOfDay(startText);
        if (!clock) {
            builder_.skipTalk(talk,
                              "its start " + doubleQuoted(startText) + " is not a time of day");
            return std::nullopt;
        }
        if (!localDate) {
            builder_.skipTalk(talk, "it has no date and its day has no readable date");
            return std::nullopt;
        }
        return time_->eventStart(*localDate, *clock, rollover);
    }

    /// The length from "end" when it is usable, else from "duration".
    std::optional<core::Seconds> length(Talk& talk, const Object& event) {
        if (auto end = core::parseIsoInstant(field(event, "end")); end && *end >= talk.start) {
            return core::Seconds{*end - talk.start};
        }
        const std::string durationText = field(event, "duration");
        if (durationText.empty()) {
            builder_.skipTalk(talk, "it has neither a usable end nor a duration");
            return std::nullopt;
        }
        auto duration = parseScheduleDuration(durationText);
        if (!duration) {
            builder_.skipTalk(
                talk, "its duration " + doubleQuoted(durationText) + " is not a schedule duration");
        }
        return duration;
    }

    void frabEvent(const Object& event, int dayIndex, const std::string& date,
                   const std::optional<date::local_days>& localDate,
                   std::optional<core::Seconds> rollover, const Room& listedIn) {
        Talk talk = commonFields(event);
        talk.track = field(event, "track");
        const Room room = listedIn.name.empty() ? builder_.addRoom(field(event, "room")) : listedIn;
        talk.room = room.name;
        talk.roomGuid = room.guid;
        talk.persons = personsOf(event.getArray("persons"));
        talk.day = dayIndex;
        talk.dayDate = date;
        const auto start = frabStart(talk, event, localDate, rollover);
        if (!start) {
            return;
        }
        talk.start = *start;
        const auto duration = length(talk, event);
        if (!duration) {
            return;
        }
        talk.duration = *duration;
        builder_.addTalk(std::move(talk));
    }

    void flatEvent(const Object& event, const std::vector<DayWindow>& windows) {
        Talk talk = commonFields(event);
        const Var track = event.get("track");
        if (isObject(track)) {
            const Object::Ptr ref = track.extract<Object::Ptr>();
            talk.track = field(*ref, "name");
            if (talk.track.empty()) {
                talk.track = trackName(field(*ref, "slug"));
            }
        } else {
            talk.track = trackName(stringOf(track));
        }
        const Var room = event.get("room");
        if (isObject(room)) {
            const Object::Ptr ref = room.extract<Object::Ptr>();
            const Room registered =
                builder_.addRoom(field(*ref, "name"), field(*ref, "guid"), field(*ref, "slug"));
            talk.room = registered.name;
            talk.roomGuid = registered.guid;
        } else {
            talk.room = builder_.addRoom(stringOf(room)).name;
        }
        talk.persons = personsOf(event.getArray("participants"));
        if (talk.persons.empty()) {
            talk.persons = personsOf(event.getArray("persons"));
        }
        const std::string state = field(event, "state");
        if (state == "CANCELED" || state == "CANCELLED" || state == "canceled" ||
            state == "cancelled") {
            builder_.skipTalk(talk, "it is cancelled");
            return;
        }
        const std::string startText = field(event, "start");
        const auto start = core::parseIsoInstant(startText);
        if (!start) {
            builder_.skipTalk(talk, startText.empty()
                                        ? std::string("it has no start")
                                        : "its start " + doubleQuoted(startText) +
                                              " is not an ISO 8601 date and time with an offset");
            return;
        }
        talk.start = *start;
        const auto duration = length(talk, event);
        if (!duration) {
            return;
        }
        talk.duration = *duration;
        for (const DayWindow& window : windows) {
            if (window.start && window.end && *window.start <= talk.start &&
                talk.start < *window.end) {
                talk.day = window.index;
                talk.dayDate = window.date;
                break;
            }
        }
        builder_.addTalk(std::move(talk));
    }

    std::string trackName(const std::string& slugOrName) const {
        for (const auto& [slug, name] : trackNames_) {
            if (slug == slugOrName && !name.empty()) {
                return name;
            }
        }
        return slugOrName;
    }

    const ParseOptions& options_;
    ScheduleBuilder& builder_;
    std::optional<ScheduleTime> time_;
    std::vector<std::pair<std::string, std::string>> trackNames_;
};

}  // namespace

Schedule JsonScheduleParser::parse(std::string_view bytes) const {
    const std::string& source = options_.source;
    Var document;
    try {
        document = parseJson(bytes);
    } catch (const Poco::Exception& e) {
        throw core::ScheduleError(source + " is not valid JSON (" + e.displayText() + ").");
    }
    if (document.type() == typeid(Array::Ptr)) {
        try {
            return parseEmfSchedule(*document.extract<Array::Ptr>(), options_);
        } catch (const Poco::Exception& e) {
            throw core::ScheduleError(source + " could not be read as a schedule (" +
                                      e.displayText() + ").");
        }
    }
    if (isObject(document) && isIndicoExport(*document.extract<Object::Ptr>())) {
        try {
            return parseIndicoSchedule(*document.extract<Object::Ptr>(), options_);
        } catch (const Poco::Exception& e) {
            throw core::ScheduleError(source + " could not be read as a schedule (" +
                                      e.displayText() + ").");
        }
    }
    Object::Ptr conference;
    Array::Ptr events;
    Array::Ptr days;
    if (isObject(document)) {
        if (const Object::Ptr schedule = document.extract<Object::Ptr>()->getObject("schedule")) {
            conference = schedule->getObject("conference");
            events = schedule->getArray("events");
        }
    }
    if (conference) {
        days = conference->getArray("days");
    }
    const bool flat = conference && events;
    if (!flat && !days) {
        throw core::ScheduleError(source +
                                  " is JSON but not a schedule: it has neither "
                                  "schedule.conference.days nor schedule.events.");
    }
    try {
        ScheduleBuilder builder(flat ? "schedule2 JSON" : "frab JSON");
        Reader reader(options_, builder);
        reader.conference(*conference);
        if (flat) {
            reader.flatEvents(*conference, *events);
        } else {
            reader.frabDays(*days);
        }
        return builder.finish();
    } catch (const Poco::Exception& e) {
        throw core::ScheduleError(source + " could not be read as a schedule (" + e.displayText() +
                                  ").");
    }
}

}  // namespace confcap::schedule
